import { plainToInstance } from 'class-transformer';
import { ValidationError, getMetadataStorage, validateSync } from 'class-validator';

export type Env = Record<string, string | undefined>;

export interface ConfigProblem {
  variable: string;
  problems: string[];
}

/** Every configuration problem at once, so an operator fixes them in one go. */
export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      `Invalid configuration (${problems.length} variable${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.variable}: ${p.problems.join('; ')}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

const stripPrefix = (variable: string, message: string): string =>
  message.startsWith(`${variable}: `) ? message.slice(variable.length + 2) : message.startsWith(`${variable} `) ? message.slice(variable.length + 1) : message;

const toProblems = (errors: ValidationError[]): ConfigProblem[] =>
  errors.map((error) => ({
    variable: error.property,
    problems: Object.values(error.constraints ?? {}).map((message) => stripPrefix(error.property, message)),
  }));

const declaredVariables = (schemaClass: new () => object): Set<string> =>
  new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(schemaClass, '', true, false)
      .map((m) => m.propertyName),
  );

/** Only declared variables, and an empty one counts as unset, as shells and compose files often export `X=`. */
const pick = (env: Env, variables: Set<string>): Record<string, string> =>
  Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => variables.has(entry[0]) && entry[1] !== undefined && entry[1] !== ''));

/**
 * Reads `schemaClass` from `env`: `defaults` fill in what the environment leaves unset (a
 * service's own port), then class-validator checks every field and one `ConfigError` lists all problems.
 */
export const loadConfig = <T extends object>(schemaClass: new () => T, env: Env = process.env, defaults: Env = {}): T => {
  const variables = declaredVariables(schemaClass);
  const plain = { ...pick(defaults, variables), ...pick(env, variables) };
  const config = plainToInstance(schemaClass, plain);
  const errors = validateSync(config, { whitelist: true, forbidUnknownValues: true, stopAtFirstError: true });
  if (errors.length > 0) throw new ConfigError(toProblems(errors));
  return config;
};
