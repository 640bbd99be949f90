export * from './test-database';
export * from './test-kafka';
export * from './java-producer';
export * from './eventually';
export * from './http-probe';
export * from './malformed-requests';
