export * from './sample-inputs';
