export * from './kafka.connection';
export * from './typed.producer';
export * from './batch.consumer';
export * from './dead-letters';
export * from './messaging.module';
