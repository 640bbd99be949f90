import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { ChainVerifier, ExportFormat } from '@tally/ledger/verify';
import { ApiClient } from '../api-client';
import { CliError } from '../exit-codes';
import { linesOf } from '../line-stream';
import { Progress } from '../progress';

export interface ExportOptions {
  out: string;
  format: ExportFormat;
  memberId?: string;
  storeId?: string;
  from?: string;
  to?: string;
}

/** What an auditor gets beside the file: enough to tell it was not cut short or swapped. */
export interface ExportManifest {
  createdAt: string;
  source: string;
  filter: { memberId?: string; storeId?: string; from?: string; to?: string };
  files: { name: string; format: ExportFormat; sha256: string; bytes: number; lines: number }[];
  events: number;
  members: number;
  firstPosition: string | null;
  lastPosition: string | null;
  /** Each member's last version and hash in the file. */
  chainHeads: Record<string, { version: number; hash: string }>;
  /** Breaks found while writing (none for an export of an untouched ledger). */
  chainBreaks: number;
}

const write = (stream: NodeJS.WritableStream, text: string): Promise<void> | undefined =>
  stream.write(text) ? undefined : new Promise((resolve) => stream.once('drain', () => resolve()));

/**
 * Streams the export into `out/events.<format>` a line at a time (hashing the bytes and checking
 * the chains as they pass), then writes `out/manifest.json`.
 */
export const runExport = async (client: ApiClient, baseUrl: string, options: ExportOptions, progress: Progress): Promise<ExportManifest> => {
  const filter = { memberId: options.memberId, storeId: options.storeId, from: options.from, to: options.to };
  const response = await client.request('GET', 'ops/export', { ...filter, format: options.format });
  if (!response.body) throw new CliError('the export answered without a body');
  await mkdir(options.out, { recursive: true });
  const name = `events.${options.format}`;
  const file = createWriteStream(join(options.out, name));
  const sha = createHash('sha256');
  const verifier = new ChainVerifier(options.format);
  let bytes = 0;
  let lines = 0;
  let lastPosition: string | null = null;
  let breaks = 0;
  for await (const line of linesOf(Readable.fromWeb(response.body as unknown as WebReadableStream))) {
    const text = `${line}\n`;
    sha.update(text);
    bytes += Buffer.byteLength(text);
    lines += 1;
    if (!(options.format === 'csv' && lines === 1)) {
      const found = verifier.check(line, lines);
      breaks += found.length;
      lastPosition = verifier.events > 0 ? lastPositionOf(line, options.format, lastPosition) : lastPosition;
      if (verifier.events % 1000 === 0) progress.tick(verifier.events);
    }
    await write(file, text);
  }
  await new Promise<void>((resolve, reject) => file.end((error?: Error | null) => (error ? reject(error) : resolve())));
  progress.tick(verifier.events);
  progress.stop();
  const heads = verifier.chainHeads();
  const manifest: ExportManifest = {
    createdAt: new Date().toISOString(),
    source: baseUrl,
    filter: Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)),
    files: [{ name: basename(name), format: options.format, sha256: sha.digest('hex'), bytes, lines }],
    events: verifier.events,
    members: Object.keys(heads).length,
    firstPosition: verifier.firstPosition ?? null,
    lastPosition,
    chainHeads: heads,
    chainBreaks: breaks,
  };
  await writeFile(join(options.out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
};

/** The position is the first field of both formats' lines. */
const lastPositionOf = (line: string, format: ExportFormat, previous: string | null): string | null => {
  const match = format === 'csv' ? /^"?(\d+)/.exec(line) : /^\{"position":"(\d+)"/.exec(line);
  return match ? match[1] : previous;
};
