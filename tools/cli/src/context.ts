import { Command } from 'commander';
import { ApiClient } from './api-client';
import { Output } from './output';

export interface GlobalOptions {
  url: string;
  token?: string;
  json?: boolean;
}

export interface CommandContext {
  client: ApiClient;
  output: Output;
  url: string;
  /** Progress bars only for people: not with --json. */
  interactive: boolean;
}

/** What every command needs, from the options given anywhere on the command line. */
export type Context = (command: Command) => CommandContext;

export const contextOf: Context = (command) => {
  const options = command.optsWithGlobals<GlobalOptions>();
  const json = options.json === true;
  return { client: new ApiClient({ url: options.url, token: options.token }), output: { json }, url: options.url, interactive: !json };
};
