import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { MATCHES, ValidationArguments, ValidationTypes, ValidatorConstraintInterface, getMetadataStorage } from 'class-validator';

type Class = new () => object;

/**
 * Takes a parsed JSON value and returns what `plainToInstance` then `validateSync` with
 * `whitelist` would leave of it (only the properties the class declares, nested ones too) when
 * class-validator would accept it, or `undefined` when it would not, or might not.
 */
export type Acceptor = (plain: unknown) => object | undefined;

interface PropertyCheck {
  property: string;
  /** `IsOptional`-style conditions: when one is false nothing else on the property runs. */
  conditions: ((object: object, value: unknown) => boolean)[];
  constraints: { validator: ValidatorConstraintInterface; each: boolean; args: ValidationArguments }[];
  /** `ValidateNested` with its class-transformer `@Type`, accepted per element (arrays) or as one object. */
  nested?: () => Acceptor | undefined;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const has = (object: object, key: string) => Object.prototype.hasOwnProperty.call(object, key);

/** What class-transformer would do besides copying own properties (and `@Type` for nested ones). */
const transformsMoreThanCopying = (cls: Class, properties: string[]): boolean =>
  defaultMetadataStorage.getExposedMetadatas(cls).length > 0 ||
  defaultMetadataStorage.getExcludedMetadatas(cls).length > 0 ||
  properties.some((p) => defaultMetadataStorage.findTransformMetadatas(cls, p, 0 /* PLAIN_TO_CLASS */).length > 0);

/**
 * `@Matches` with a plain RegExp, as `RegExp.test`: class-validator's goes through validator.js's
 * `String.match`, which builds a match array per call (an allocation per id of every message).
 * A global or sticky pattern keeps its own class-validator implementation (`test` would move its `lastIndex`).
 */
const plainTestFor = (name: string | undefined, constraints: unknown[] | undefined): ValidatorConstraintInterface | undefined => {
  const pattern = constraints?.[0];
  if (name !== MATCHES || !(pattern instanceof RegExp) || pattern.global || pattern.sticky) return undefined;
  return { validate: (value: unknown) => typeof value === 'string' && pattern.test(value) };
};

const checkFor = (
  cls: Class,
  property: string,
  metadatas: ReturnType<ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']>,
): PropertyCheck | undefined => {
  const check: PropertyCheck = { property, conditions: [], constraints: [] };
  const storage = getMetadataStorage();
  for (const m of metadatas) {
    if (m.type === ValidationTypes.CONDITIONAL_VALIDATION) {
      check.conditions.push(m.constraints[0] as (object: object, value: unknown) => boolean);
    } else if (m.type === ValidationTypes.CUSTOM_VALIDATION) {
      const constraints = storage.getTargetValidatorConstraints(m.constraintCls);
      if (m.validateIf || constraints.length !== 1 || constraints[0].async) return undefined;
      const args: ValidationArguments = { targetName: cls.name, property, object: {}, value: undefined, constraints: m.constraints };
      check.constraints.push({ validator: plainTestFor(constraints[0].name, m.constraints) ?? constraints[0].instance, each: m.each === true, args });
    } else if (m.type === ValidationTypes.NESTED_VALIDATION && !check.nested) {
      const type = defaultMetadataStorage.findTypeMetadata(cls, property);
      if (!type || type.options?.discriminator) return undefined;
      let compiled: Acceptor | undefined | null = null;
      check.nested = () => (compiled === null ? (compiled = compileAcceptor(type.typeFunction() as Class)) : compiled);
    } else {
      return undefined;
    }
  }
  return check;
};

/** The value as it would stand after class-transformer and class-validator, or undefined. */
const acceptValue = (check: PropertyCheck, object: Record<string, unknown>, value: unknown): { value: unknown } | undefined => {
  for (const condition of check.conditions) if (!condition(object, value)) return { value };
  for (const c of check.constraints) {
    c.args.object = object;
    c.args.value = value;
    if (c.each && Array.isArray(value)) {
      for (const element of value) if (c.validator.validate(element, c.args) !== true) return undefined;
    } else if (c.validator.validate(value, c.args) !== true) return undefined;
  }
  if (!check.nested || value === undefined) return { value };
  const nested = check.nested();
  if (!nested) return undefined;
  if (Array.isArray(value)) {
    const accepted: object[] = [];
    for (const element of value) {
      const one = isPlainObject(element) ? nested(element) : undefined;
      if (!one) return undefined;
      accepted.push(one);
    }
    return { value: accepted };
  }
  const one = isPlainObject(value) ? nested(value) : undefined;
  return one ? { value: one } : undefined;
};

/**
 * Compiles a class's class-validator and class-transformer metadata into an acceptor that calls
 * the same constraint implementations without the executor around them: class-validator builds
 * an error object per property and looks its metadata up again on every call, which made it the
 * largest allocator of the earn service. The acceptor only ever says yes when class-validator
 * would; for anything it was not built for it says `undefined`, and the caller runs class-validator,
 * which stays the source of every error message. Returns undefined for a class it cannot compile.
 */
export const compileAcceptor = (cls: Class): Acceptor | undefined => {
  const grouped = getMetadataStorage().groupByPropertyName(getMetadataStorage().getTargetValidationMetadatas(cls, '', false, false, undefined));
  const properties = Object.keys(grouped);
  if (properties.length === 0 || transformsMoreThanCopying(cls, properties)) return undefined;
  const checks = new Map<string, PropertyCheck>();
  for (const property of properties) {
    const check = checkFor(cls, property, grouped[property]);
    if (!check) return undefined;
    checks.set(property, check);
  }
  return (plain) => {
    if (!isPlainObject(plain)) return undefined;
    const out = Object.create(cls.prototype) as Record<string, unknown>;
    // Key order as plainToInstance leaves it: the input's own keys, the undeclared ones stripped.
    let present = 0;
    for (const key of Object.keys(plain)) {
      const check = checks.get(key);
      if (!check) continue;
      const accepted = acceptValue(check, plain, plain[key]);
      if (!accepted) return undefined;
      out[key] = accepted.value;
      present += 1;
    }
    if (present < checks.size) {
      for (const check of checks.values()) if (!has(plain, check.property) && !acceptValue(check, plain, undefined)) return undefined;
    }
    return out;
  };
};
