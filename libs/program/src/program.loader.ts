import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { DEFAULT_PROGRAM } from './default-program';
import { programSchema } from './program.schema';
import { Program } from './program.types';

export type ProgramFormat = 'json' | 'yaml';

export type ProgramParse = { ok: true; program: Program } | { ok: false; problems: string[] };

/** A program file that cannot be used: every problem found, each with its path in the file. */
export class ProgramError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`program ${source} is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ProgramError';
  }
}

/** `tiers[1].multiplier` from `['tiers', 1, 'multiplier']`. */
export const formatPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '');

const atPath = (path: readonly PropertyKey[], message: string): string => (path.length > 0 ? `${formatPath(path)}: ${message}` : message);

const problemsOf = (issue: z.core.$ZodIssue): string[] => {
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => atPath([...issue.path, key], 'unknown field'));
    case 'invalid_key':
      return issue.issues.map((keyIssue) => atPath(issue.path, `invalid key: ${keyIssue.message}`));
    default:
      return [atPath(issue.path, issue.message)];
  }
};

/** Validates an already parsed document (an empty document is the default program). */
export const validateProgram = (document: unknown): ProgramParse => {
  const result = programSchema.safeParse(document ?? {});
  return result.success ? { ok: true, program: result.data } : { ok: false, problems: result.error.issues.flatMap(problemsOf) };
};

const parseJson = (text: string): { ok: true; document: unknown } | { ok: false; problems: string[] } => {
  try {
    return { ok: true, document: JSON.parse(text) };
  } catch (error) {
    return { ok: false, problems: [`not valid JSON: ${(error as Error).message}`] };
  }
};

const parseYaml = (text: string): { ok: true; document: unknown } | { ok: false; problems: string[] } => {
  const document = parseDocument(text, { uniqueKeys: true });
  if (document.errors.length > 0) {
    // The first line of a YAML error says what and where ("... at line 2, column 1:"); the rest quotes the text.
    return { ok: false, problems: document.errors.map((error) => `not valid YAML: ${error.message.split('\n')[0].replace(/:$/, '')}`) };
  }
  return { ok: true, document: document.toJS() };
};

/** Parses and validates program text. Pure: no file system, no exceptions for bad input. */
export const parseProgram = (text: string, format: ProgramFormat): ProgramParse => {
  const parsed = format === 'json' ? parseJson(text) : parseYaml(text);
  return parsed.ok ? validateProgram(parsed.document) : parsed;
};

/** By extension; otherwise a document that starts with `{` is JSON and anything else YAML. */
export const formatOf = (path: string, text: string): ProgramFormat => {
  const extension = extname(path).toLowerCase();
  if (extension === '.json') return 'json';
  if (extension === '.yaml' || extension === '.yml') return 'yaml';
  return text.trimStart().startsWith('{') ? 'json' : 'yaml';
};

/**
 * The program to run with: the built-in one without a path, else the file at `path` (JSON or YAML).
 * Throws one `ProgramError` listing every problem, so a bad file is fixed in one round.
 */
export const loadProgram = (path?: string): Program => {
  if (path === undefined || path === '') return DEFAULT_PROGRAM;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ProgramError(path, [`cannot read the file: ${(error as Error).message}`]);
  }
  const result = parseProgram(text, formatOf(path, text));
  if (!result.ok) throw new ProgramError(path, result.problems);
  return result.program;
};
