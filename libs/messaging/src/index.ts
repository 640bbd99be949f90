export * from './kafka.connection';
export * from './typed.producer';
export * from './batch.consumer';
export * from './batch.coalescer';
export * from './offset.committer';
export * from './dead-letter.packer';
export * from './dead-letters';
export * from './messaging.module';
