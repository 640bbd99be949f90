import { accessSync, constants, statSync } from 'node:fs';
import { ValidationOptions, registerDecorator } from 'class-validator';
import { parseApiTokens } from '../auth/api-tokens';

type Check = (value: unknown) => string | undefined;

/** Registers a validator whose message is whatever `check` found wrong, so each var says exactly why. */
const envRule =
  (name: string, check: Check, options?: ValidationOptions): PropertyDecorator =>
  (target, propertyName) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate: (value: unknown) => check(value) === undefined,
        defaultMessage: (args) => `${args?.property}: ${check(args?.value) ?? 'is invalid'}`,
      },
    });

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

export const checkBrokerList: Check = (value) => {
  if (typeof value !== 'string' || value.trim() === '') return 'must be a comma-separated list of host:port';
  const bad = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => {
      const match = HOST_PORT.exec(entry);
      return !match || Number(match[2]) < 1 || Number(match[2]) > 65535;
    });
  return bad.length === 0 ? undefined : `must be a comma-separated list of host:port; not host:port: ${bad.map((b) => JSON.stringify(b)).join(', ')}`;
};

export const checkPostgresUrl: Check = (value) => {
  if (typeof value !== 'string') return 'must be a postgres:// URL';
  try {
    const url = new URL(value);
    return url.protocol === 'postgres:' || url.protocol === 'postgresql:' ? undefined : 'must be a postgres:// or postgresql:// URL';
  } catch {
    return 'must be a postgres:// URL';
  }
};

export const checkApiTokens: Check = (value) => {
  if (typeof value !== 'string') return 'must be token=role pairs separated by commas';
  const { problems } = parseApiTokens(value);
  return problems.length === 0 ? undefined : problems.join('; ');
};

/** A certificate or key path is checked at start, not at the first connection minutes later. */
export const checkReadableFile: Check = (value) => {
  if (typeof value !== 'string') return 'must be a file path';
  try {
    accessSync(value, constants.R_OK);
    return statSync(value).isFile() ? undefined : `is not a file: ${value}`;
  } catch {
    return `cannot read ${value}`;
  }
};

export const IsBrokerList = (options?: ValidationOptions) => envRule('isBrokerList', checkBrokerList, options);
export const IsPostgresUrl = (options?: ValidationOptions) => envRule('isPostgresUrl', checkPostgresUrl, options);
export const IsApiTokens = (options?: ValidationOptions) => envRule('isApiTokens', checkApiTokens, options);
export const IsReadableFile = (options?: ValidationOptions) => envRule('isReadableFile', checkReadableFile, options);
