import { INPUT_SCHEMAS } from '../inputs/input-schemas';
import { JsonSchema, classSchemaDocument } from './input-json-schema';

/** Schema ids are names, not addresses: nothing is fetched by them. */
export const schemaId = (name: string): string => `urn:tally:schema:${name}`;

/** Every input message class, by its `type`. */
export const INPUT_MESSAGE_CLASSES: Readonly<Record<string, new () => object>> = Object.assign({}, ...Object.values(INPUT_SCHEMAS));

/** The JSON Schema document of every input message, by class name, from its class-validator metadata. */
export const inputSchemaDocuments = (): Record<string, JsonSchema> =>
  Object.fromEntries(Object.values(INPUT_MESSAGE_CLASSES).map((cls) => [cls.name, classSchemaDocument(cls, schemaId(cls.name))]));

/** The output messages whose schemas are generated from their TypeScript types, by the name of the type. */
export const OUTPUT_MESSAGE_TYPES = ['LedgerEventMessage', 'Notification', 'DeadLetter'] as const;
export type OutputMessageType = (typeof OUTPUT_MESSAGE_TYPES)[number];
