export * from './inputs';
export * from './validation';
export * from './builders';
export * from './producer';
