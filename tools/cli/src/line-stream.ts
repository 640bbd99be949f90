import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';

/** Lines of a text stream without their line breaks, read a chunk at a time. */
export async function* linesOf(input: Readable): AsyncGenerator<string> {
  const reader = createInterface({ input, crlfDelay: Infinity });
  for await (const line of reader) yield line;
}

export const fileLines = (path: string): AsyncGenerator<string> => linesOf(createReadStream(path, { encoding: 'utf8' }));
