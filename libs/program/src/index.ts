export * from './program.types';
export * from './default-program';
export * from './program.schema';
export * from './program.loader';
export * from './program.time';
export * from './tiers.lookup';
export * from './zone.calendar';
