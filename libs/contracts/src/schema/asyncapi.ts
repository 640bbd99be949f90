import { INPUT_SCHEMAS } from '../inputs/input-schemas';
import { DEAD_LETTER_REASONS } from '../outbound/dead-letter';
import { Topics } from '../topics/topics';
import { JsonSchema } from './input-json-schema';
import { OutputMessageType } from './message-schemas';

interface TopicDoc {
  topic: string;
  /** From Tally's side: it receives the inputs and sends the rest. */
  action: 'receive' | 'send';
  key: string;
  description: string;
  /** Schema names of the messages the topic carries. */
  messages: string[];
}

const inputTopic = (topic: string, key: string, description: string): TopicDoc => ({
  topic,
  action: 'receive',
  key,
  description,
  messages: Object.values(INPUT_SCHEMAS[topic]).map((cls) => cls.name),
});

const OUTPUT_TOPICS: Record<OutputMessageType, Omit<TopicDoc, 'messages'>> = {
  LedgerEventMessage: {
    topic: Topics.ledger.name,
    action: 'send',
    key: 'the member id',
    description: 'Every ledger event as stored, at least once, in per-member order.',
  },
  Notification: {
    topic: Topics.notifications.name,
    action: 'send',
    key: 'the member id',
    description: 'Notices for messaging and CRM systems: points expiring soon, tier changes.',
  },
  DeadLetter: {
    topic: Topics.deadLetters.name,
    action: 'send',
    key: 'the original message key, byte for byte',
    description: 'Each refused input message with its original bytes, headers, source and a reason code.',
  },
};

const TOPICS: TopicDoc[] = [
  inputTopic(Topics.purchases.name, 'the member id', 'Purchases and refunds from order pipelines and store branches.'),
  inputTopic(Topics.checkIns.name, 'the member id', 'Member check-ins (one rewarded per business day).'),
  inputTopic(Topics.referrals.name, 'the referrer id', 'Completed referrals: the referrer and the referee both earn.'),
  inputTopic(Topics.memberEvents.name, 'the member id', 'Activities the program may reward (sign-up, birthday, review, share...).'),
  ...Object.entries(OUTPUT_TOPICS).map(([name, doc]) => ({ ...doc, messages: [name] })),
];

/** A channel or message id: `loyalty.check-ins.v1` as `loyaltyCheckInsV1`. */
const idOf = (text: string): string => text.replace(/[^A-Za-z0-9]+(.)/g, (_, c: string) => c.toUpperCase());

/** The schema with its `definitions` lifted into the document's components and its refs pointed there. */
const lifted = (schema: JsonSchema, into: Record<string, JsonSchema>): JsonSchema => {
  const relink = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(relink);
    if (typeof value !== 'object' || value === null) return value;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? v.replace('#/definitions/', '#/components/schemas/') : relink(v)]),
    );
  };
  const { definitions, $schema: _draft, $id: _id, ...own } = schema as JsonSchema & { definitions?: Record<string, JsonSchema> };
  for (const [name, definition] of Object.entries(definitions ?? {})) into[name] ??= relink(definition) as JsonSchema;
  return relink(own) as JsonSchema;
};

const HEADERS: JsonSchema = {
  type: 'object',
  description: 'No header is required. Any headers a producer sends are kept (base64) in a dead letter of the message.',
  additionalProperties: { type: 'string' },
};

const INPUT_RULES =
  'Beyond the schema: occurredAt must be a real calendar time and at most 24 h ahead; texts hold no NUL or lone surrogate; at most 64 KiB; ' +
  'eventId is the idempotency key (the same eventId again appends nothing; with another body it is a dead letter, idempotency_conflict). ' +
  'Undeclared fields are ignored.';

/**
 * The AsyncAPI 3 document of every Tally topic, from the same schemas producers validate against:
 * input schemas from the class-validator metadata, output schemas generated from the TypeScript types.
 */
/** The contract's version: the topics are `.v1`; additions raise the minor number. */
export const CONTRACT_VERSION = '1.1.0';

export const asyncApiDocument = (schemas: Record<string, JsonSchema>, version = CONTRACT_VERSION): JsonSchema => {
  const componentSchemas: Record<string, JsonSchema> = {};
  const messages: Record<string, JsonSchema> = {};
  const channels: Record<string, JsonSchema> = {};
  const operations: Record<string, JsonSchema> = {};
  for (const doc of TOPICS) {
    const channelId = idOf(doc.topic);
    for (const name of doc.messages) {
      const schema = schemas[name];
      if (!schema) throw new Error(`no schema for ${name}`);
      componentSchemas[name] = lifted(schema, componentSchemas);
      messages[name] = {
        name,
        contentType: 'application/json',
        ...(doc.action === 'receive' ? { description: INPUT_RULES } : {}),
        headers: HEADERS,
        payload: { $ref: `#/components/schemas/${name}` },
        bindings: { kafka: { key: { type: 'string', description: `Key: ${doc.key}.` }, bindingVersion: '0.5.0' } },
      };
    }
    channels[channelId] = {
      address: doc.topic,
      description: `${doc.description} Key: ${doc.key}.`,
      messages: Object.fromEntries(doc.messages.map((name) => [name, { $ref: `#/components/messages/${name}` }])),
    };
    operations[`${doc.action}${channelId[0].toUpperCase()}${channelId.slice(1)}`] = {
      action: doc.action,
      channel: { $ref: `#/channels/${channelId}` },
      messages: doc.messages.map((name) => ({ $ref: `#/channels/${channelId}/messages/${name}` })),
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Tally loyalty ledger',
      version,
      description:
        'Topics Tally reads (inputs from order pipelines and store branches) and writes (ledger events, notifications, dead letters). Values are UTF-8 JSON.',
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: {
      schemas: componentSchemas,
      messages,
      'x-dead-letter-reasons': DEAD_LETTER_REASONS,
    },
  };
};
