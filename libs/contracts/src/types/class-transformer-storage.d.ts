/** class-transformer's metadata singleton: the package ships it without a declaration of its own path. */
declare module 'class-transformer/cjs/storage' {
  import { MetadataStorage } from 'class-transformer/types/MetadataStorage';
  export const defaultMetadataStorage: MetadataStorage;
}
