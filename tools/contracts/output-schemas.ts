import { join } from 'node:path';
import { JsonSchema, OUTPUT_MESSAGE_TYPES, OutputMessageType, schemaId } from '@tally/contracts';
import { SchemaGenerator, createGenerator } from 'ts-json-schema-generator';

const root = join(__dirname, '..', '..');
type Definitions = Record<string, JsonSchema>;

/** The generator's schema of a named type, its root `$ref` resolved so that the root is the type itself. */
const schemaOf = (generator: SchemaGenerator, type: string): { root: JsonSchema; definitions: Definitions } => {
  const { definitions = {}, $ref: _ref, $schema: _draft, ...rest } = generator.createSchema(type) as JsonSchema & { definitions?: Definitions };
  return { root: { ...definitions[type], ...rest }, definitions };
};

/**
 * `LedgerEventMessage` is a mapped type over `LedgerEventDataMap`, which the generator cannot
 * follow: the message is composed here of the map's entries (one alternative per event type, with
 * its data schema) and `StoredEventFields`, all of them generated from their types.
 */
const ledgerEventMessage = (generator: SchemaGenerator): JsonSchema => {
  const map = schemaOf(generator, 'LedgerEventDataMap');
  const stored = schemaOf(generator, 'StoredEventFields');
  const dataByType = map.root.properties as Record<string, JsonSchema>;
  const alternatives = Object.entries(dataByType).map(([type, data]) => ({
    allOf: [
      { $ref: '#/definitions/StoredEventFields' },
      {
        type: 'object',
        properties: { type: { const: type }, memberId: { type: 'string' }, occurredAt: { type: 'string' }, data },
        required: ['type', 'memberId', 'occurredAt', 'data'],
      },
    ],
  }));
  const { LedgerEventDataMap: _map, ...definitions } = map.definitions;
  return {
    title: 'LedgerEventMessage',
    description: 'A ledger event as stored (all but prevHash).',
    oneOf: alternatives,
    definitions: { ...definitions, StoredEventFields: stored.root },
  };
};

/** The JSON Schema of each output message, generated from its TypeScript type in libs/contracts. */
export const outputSchemaDocuments = (): Record<OutputMessageType, JsonSchema> => {
  const generator = createGenerator({
    path: join(root, 'libs/contracts/src/index.ts'),
    tsconfig: join(root, 'libs/contracts/tsconfig.json'),
    skipTypeCheck: true,
    expose: 'export',
    additionalProperties: true,
  });
  const documentOf = (type: OutputMessageType): JsonSchema => {
    if (type === 'LedgerEventMessage') return ledgerEventMessage(generator);
    const { root: schema, definitions } = schemaOf(generator, type);
    const { [type]: _self, ...others } = definitions;
    return { title: type, ...schema, ...(Object.keys(others).length > 0 ? { definitions: others } : {}) };
  };
  return Object.fromEntries(
    OUTPUT_MESSAGE_TYPES.map((type): [OutputMessageType, JsonSchema] => [
      type,
      { $schema: 'http://json-schema.org/draft-07/schema#', $id: schemaId(type), ...documentOf(type) },
    ]),
  ) as Record<OutputMessageType, JsonSchema>;
};
