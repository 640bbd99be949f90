export * from './test-database';
export * from './test-kafka';
export * from './java-producer';
export * from './eventually';
export * from './http-probe';
export * from './malformed-requests';
export * from './stack/process-stack';
export * from './stack/seeded-rng';
