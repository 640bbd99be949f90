import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { ValidationTypes, getMetadataStorage } from 'class-validator';
import { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

type Class = new () => object;
/** A JSON Schema (draft-07) object; kept loose so that it serialises as written. */
export type JsonSchema = Record<string, unknown>;

/**
 * What each class-validator decorator the contracts use means in JSON Schema. A decorator missing
 * here makes generation throw: a schema that silently accepted more than the validator would be a
 * second, wrong contract.
 */
const CONSTRAINT_SCHEMAS: Record<string, (constraints: unknown[]) => JsonSchema> = {
  isString: () => ({ type: 'string' }),
  isInt: () => ({ type: 'integer' }),
  isArray: () => ({ type: 'array' }),
  isObject: () => ({ type: 'object' }),
  matches: ([pattern]) => ({ type: 'string', pattern: (pattern as RegExp).source }),
  equals: ([value]) => ({ const: value }),
  isIn: ([values]) => ({ enum: values }),
  min: ([value]) => ({ type: 'number', minimum: value }),
  max: ([value]) => ({ type: 'number', maximum: value }),
  arrayMaxSize: ([value]) => ({ type: 'array', maxItems: value }),
  arrayMinSize: ([value]) => ({ type: 'array', minItems: value }),
};

const constraintSchema = (cls: Class, property: string, m: ValidationMetadata): JsonSchema => {
  const name = m.name ?? getMetadataStorage().getTargetValidatorConstraints(m.constraintCls)[0]?.name;
  const toSchema = name === undefined ? undefined : CONSTRAINT_SCHEMAS[name];
  if (!toSchema) throw new Error(`${cls.name}.${property}: no JSON Schema for validator ${name ?? '(anonymous)'}`);
  return toSchema(m.constraints ?? []);
};

/** `integer` is a `number`: the narrower type stands. */
const mergedType = (a: unknown, b: unknown): unknown =>
  a === undefined || a === b || (a === 'integer' && b === 'number') ? (a ?? b) : b === 'integer' && a === 'number' ? b : null;

/** One schema holding every part's keywords, or an `allOf` when two parts disagree on one. */
const merged = (parts: JsonSchema[]): JsonSchema => {
  const out: JsonSchema = {};
  for (const part of parts) {
    for (const [key, value] of Object.entries(part)) {
      if (key === 'type') {
        const type = mergedType(out.type, value);
        if (type === null) return { allOf: parts };
        out.type = type;
      } else if (key in out && JSON.stringify(out[key]) !== JSON.stringify(value)) {
        return { allOf: parts };
      } else out[key] = value;
    }
  }
  return out;
};

/** `each` applies a constraint to every element of an array value, and to the value itself otherwise. */
const eachSchema = (schema: JsonSchema, isArray: boolean): JsonSchema =>
  isArray
    ? { items: schema }
    : {
        anyOf: [
          { type: 'array', items: schema },
          { not: { type: 'array' }, ...schema },
        ],
      };

const messageOf = (m: ValidationMetadata, property: string): string | undefined =>
  typeof m.message === 'string' ? m.message.replace('$property', property) : undefined;

const propertySchema = (
  cls: Class,
  property: string,
  metadatas: ValidationMetadata[],
  nested: (cls: Class) => JsonSchema,
): { schema: JsonSchema; optional: boolean } => {
  const own: JsonSchema[] = [];
  const items: JsonSchema[] = [];
  const isArray = metadatas.some((m) => m.name === 'isArray' && !m.each);
  let optional = false;
  let description: string | undefined;
  for (const m of metadatas) {
    if (m.type === ValidationTypes.CONDITIONAL_VALIDATION) {
      optional = true;
      continue;
    }
    let schema: JsonSchema;
    if (m.type === ValidationTypes.NESTED_VALIDATION) {
      const type = defaultMetadataStorage.findTypeMetadata(cls, property);
      if (!type) throw new Error(`${cls.name}.${property}: nested without @Type`);
      schema = nested(type.typeFunction() as Class);
    } else if (m.type === ValidationTypes.CUSTOM_VALIDATION) {
      schema = constraintSchema(cls, property, m);
      description ??= messageOf(m, property);
    } else {
      throw new Error(`${cls.name}.${property}: no JSON Schema for ${m.type}`);
    }
    if (m.each && isArray) items.push(schema);
    else own.push(m.each ? eachSchema(schema, false) : schema);
  }
  if (items.length > 0) own.push({ items: merged(items) });
  const schema = merged(own);
  const described = description ? { description, ...schema } : schema;
  // class-validator's IsOptional skips every check for null as well as for a missing property.
  return { schema: optional ? { anyOf: [described, { type: 'null' }] } : described, optional };
};

/**
 * The JSON Schema (draft-07) of a class's class-validator metadata, as `validateSync` with
 * `whitelist` judges a plain object: undeclared properties are allowed (they are stripped, not
 * refused). Nested classes go to `definitions`, named by class.
 */
export const classJsonSchema = (cls: Class, definitions: Record<string, JsonSchema> = {}): JsonSchema => {
  const storage = getMetadataStorage();
  const grouped = storage.groupByPropertyName(storage.getTargetValidationMetadatas(cls, '', false, false, undefined));
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  const nested = (inner: Class): JsonSchema => {
    if (!definitions[inner.name]) {
      definitions[inner.name] = {};
      definitions[inner.name] = classJsonSchema(inner, definitions);
    }
    return { $ref: `#/definitions/${inner.name}` };
  };
  for (const [property, metadatas] of Object.entries(grouped)) {
    const { schema, optional } = propertySchema(cls, property, metadatas, nested);
    properties[property] = schema;
    if (!optional) required.push(property);
  }
  return { title: cls.name, type: 'object', properties, required };
};

/** A standalone schema document for one class, its nested classes inlined under `definitions`. */
export const classSchemaDocument = (cls: Class, id: string): JsonSchema => {
  const definitions: Record<string, JsonSchema> = {};
  const schema = classJsonSchema(cls, definitions);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: id,
    ...schema,
    ...(Object.keys(definitions).length > 0 ? { definitions } : {}),
  };
};
