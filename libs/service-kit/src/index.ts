export * from './service-kit';
