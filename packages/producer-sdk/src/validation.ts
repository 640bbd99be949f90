import Ajv from 'ajv';
import { SCHEMA_OF, TallyInput } from './inputs';
import { INPUT_JSON_SCHEMAS } from './schemas';

export interface FieldError {
  field: string;
  problems: string[];
}

/** An input Tally would dead-letter: thrown before anything is sent. */
export class TallyValidationError extends Error {
  constructor(readonly fieldErrors: FieldError[]) {
    super(`invalid Tally input: ${fieldErrors.map((e) => `${e.field}: ${e.problems.join('; ')}`).join(', ')}`);
    this.name = 'TallyValidationError';
  }
}

/** As Tally reads them: `.` counts UTF-16 units, as JavaScript's RegExp does without the `u` flag. */
const ajv = new Ajv({ allErrors: true, unicodeRegExp: false, strict: false });
for (const schema of Object.values(INPUT_JSON_SCHEMAS)) ajv.addSchema(schema);

const MAX_BYTES = 64 * 1024;
const MAX_FUTURE_MS = 24 * 60 * 60 * 1000;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether the time exists on the calendar (Tally refuses `2026-02-30` rather than rolling it over). */
const isRealTime = (text: string): boolean => {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1).map((v) => Number(v ?? 0));
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1] || (month === 2 && day === 29 && !leap)) return false;
  return hour < 24 && minute < 60 && second < 60;
};

/** The problems Tally would find in an input (its generated JSON Schema, then what a schema cannot say). */
export const problemsOf = (input: TallyInput, now: Date = new Date()): FieldError[] => {
  const schema = SCHEMA_OF[input.type as TallyInput['type']];
  if (!schema) return [{ field: 'type', problems: [`must be one of ${Object.keys(SCHEMA_OF).join(', ')}`] }];
  const validate = ajv.getSchema(`urn:tally:schema:${schema}`);
  if (!validate) throw new Error(`no schema ${schema}`);
  if (!validate(input)) {
    const byField = new Map<string, string[]>();
    for (const error of validate.errors ?? []) {
      const field = error.instancePath.slice(1).replace(/\//g, '.') || (error.params as { missingProperty?: string }).missingProperty || '(input)';
      byField.set(field, [...(byField.get(field) ?? []), error.message ?? 'is invalid']);
    }
    return [...byField].map(([field, problems]) => ({ field, problems }));
  }
  if (!isRealTime(input.occurredAt)) return [{ field: 'occurredAt', problems: ['not a real date'] }];
  if (Date.parse(input.occurredAt) - now.getTime() > MAX_FUTURE_MS) return [{ field: 'occurredAt', problems: ['more than 24 h ahead'] }];
  if (Buffer.byteLength(JSON.stringify(input)) > MAX_BYTES) return [{ field: '(input)', problems: [`larger than ${MAX_BYTES} bytes`] }];
  return [];
};

/** The input, or a `TallyValidationError` naming every problem. */
export const validated = <T extends TallyInput>(input: T, now?: Date): T => {
  const problems = problemsOf(input, now);
  if (problems.length > 0) throw new TallyValidationError(problems);
  return input;
};
