import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ChainBreak, ChainVerifier, ExportFormat } from '@tally/ledger/verify';
import { fileLines } from '../line-stream';
import { Progress } from '../progress';
import { ExportManifest } from './export.command';

export interface VerifyReport {
  file: string;
  ok: boolean;
  lines: number;
  events: number;
  members: number;
  /** The first breaks, in file order; `breakCount` counts them all. */
  breaks: ChainBreak[];
  breakCount: number;
  manifest?: { file: string; sha256Matches: boolean; linesMatch: boolean; headsMatch: boolean };
}

const LISTED_BREAKS = 100;

export const formatOf = (file: string, given?: string): ExportFormat => (given === 'csv' || (!given && file.endsWith('.csv')) ? 'csv' : 'jsonl');

const sha256Of = async (file: string): Promise<string> => {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
};

/**
 * Recomputes every hash of an export from the file alone and checks each member's chain; with a
 * `manifest.json` beside the file, also its SHA-256, line count and chain heads.
 */
export const verifyFile = async (file: string, format: ExportFormat, progress: Progress): Promise<VerifyReport> => {
  const verifier = new ChainVerifier(format);
  const breaks: ChainBreak[] = [];
  let breakCount = 0;
  let line = 0;
  for await (const text of fileLines(file)) {
    line += 1;
    if (format === 'csv' && line === 1) continue;
    const found = verifier.check(text, line);
    breakCount += found.length;
    for (const b of found) if (breaks.length < LISTED_BREAKS) breaks.push(b);
    if (line % 1000 === 0) progress.tick(line);
  }
  progress.stop();
  const heads = verifier.chainHeads();
  const manifest = await checkManifest(file, line, heads);
  const ok = breakCount === 0 && (!manifest || (manifest.sha256Matches && manifest.linesMatch && manifest.headsMatch));
  return { file, ok, lines: line, events: verifier.events, members: Object.keys(heads).length, breaks, breakCount, ...(manifest ? { manifest } : {}) };
};

const checkManifest = async (file: string, lines: number, heads: ReturnType<ChainVerifier['chainHeads']>): Promise<VerifyReport['manifest']> => {
  const path = join(dirname(file), 'manifest.json');
  if (!existsSync(path)) return undefined;
  const manifest = JSON.parse(await readFile(path, 'utf8')) as ExportManifest;
  const entry = manifest.files.find((f) => f.name === basename(file));
  if (!entry) return undefined;
  const sameHeads =
    Object.keys(heads).length === Object.keys(manifest.chainHeads).length &&
    Object.entries(heads).every(([member, head]) => manifest.chainHeads[member]?.hash === head.hash && manifest.chainHeads[member]?.version === head.version);
  return { file: path, sha256Matches: (await sha256Of(file)) === entry.sha256, linesMatch: lines === entry.lines, headsMatch: sameHeads };
};
