import { GENESIS_HASH, HashHex, eventHash } from '../hashing/event-hash';
import { LedgerEventType } from '@tally/contracts';
import { EVENT_LAYOUTS, decodeEventData } from '../storage/event-codec';
import { ExportFormat, ExportedEvent, parseExportLine } from './exported-event';

export interface ChainBreak {
  /** 1-based line number in the file (a CSV header is line 1). */
  line: number;
  position?: string;
  memberId?: string;
  version?: number;
  reason: 'unreadable' | 'data-mismatch' | 'hash-mismatch' | 'prev-hash-mismatch' | 'version-gap' | 'genesis-mismatch' | 'position-order';
  message: string;
}

interface Head {
  version: number;
  hash: HashHex;
}

/**
 * Checks an export line by line, from the file alone: every event's hash recomputed the way the
 * ledger computes it (`eventHash` over the previous hash and the event), each member's versions
 * consecutive and each event chained to the one before it. A member's first event in the file is
 * taken at its word for the previous hash unless it is version 1 (an export of a time range starts
 * chains in the middle); the manifest's heads tie such a file to the ledger.
 */
export class ChainVerifier {
  private readonly heads = new Map<string, Head>();
  private lastPosition: bigint | undefined;
  lines = 0;
  events = 0;
  firstPosition: string | undefined;

  constructor(private readonly format: ExportFormat) {}

  /** The breaks this line shows; empty when it verifies. */
  check(text: string, line: number): ChainBreak[] {
    this.lines = line;
    let event: ExportedEvent;
    try {
      event = parseExportLine(text, this.format);
    } catch (error) {
      return [{ line, reason: 'unreadable', message: `line ${line} is not an exported event: ${(error as Error).message}` }];
    }
    this.events += 1;
    this.firstPosition ??= event.position;
    const at = { line, position: event.position, memberId: event.memberId, version: event.version };
    const breaks = [...this.orderBreaks(event, at), ...this.chainBreaks(event, at)];
    let computed: HashHex | undefined;
    try {
      computed = eventHash(event.prevHash, { ...event, dataText: event.dataText });
    } catch (error) {
      breaks.push({ ...at, reason: 'unreadable', message: `line ${line}: ${(error as Error).message}` });
    }
    if (computed !== undefined && computed !== event.hash) {
      breaks.push({
        ...at,
        reason: 'hash-mismatch',
        message: `line ${line} (${event.memberId} v${event.version}, position ${event.position}): its content hashes to ${computed}, the line says ${event.hash}`,
      });
    }
    if (!sameData(event)) {
      breaks.push({
        ...at,
        reason: 'data-mismatch',
        message: `line ${line} (${event.memberId} v${event.version}): its readable data differs from the stored text the hash covers`,
      });
    }
    this.heads.set(event.memberId, { version: event.version, hash: event.hash });
    return breaks;
  }

  /** Each member's last version and hash: what the manifest calls its chain heads. */
  chainHeads(): Record<string, Head> {
    return Object.fromEntries(this.heads);
  }

  private orderBreaks(event: ExportedEvent, at: Omit<ChainBreak, 'reason' | 'message'>): ChainBreak[] {
    let position: bigint;
    try {
      position = BigInt(event.position);
    } catch {
      return [{ ...at, reason: 'unreadable', message: `line ${at.line}: position ${event.position} is not a number` }];
    }
    const before = this.lastPosition;
    this.lastPosition = position;
    if (before === undefined || position > before) return [];
    return [{ ...at, reason: 'position-order', message: `line ${at.line}: position ${event.position} does not follow ${before}` }];
  }

  private chainBreaks(event: ExportedEvent, at: Omit<ChainBreak, 'reason' | 'message'>): ChainBreak[] {
    const head = this.heads.get(event.memberId);
    if (!head) {
      if (event.version === 1 && event.prevHash !== GENESIS_HASH) {
        return [{ ...at, reason: 'genesis-mismatch', message: `line ${at.line}: ${event.memberId} v1 does not start from the genesis hash` }];
      }
      return [];
    }
    const breaks: ChainBreak[] = [];
    if (event.version !== head.version + 1) {
      breaks.push({ ...at, reason: 'version-gap', message: `line ${at.line}: ${event.memberId} v${event.version} follows v${head.version}` });
    }
    if (event.prevHash !== head.hash) {
      breaks.push({
        ...at,
        reason: 'prev-hash-mismatch',
        message: `line ${at.line}: ${event.memberId} v${event.version} names previous hash ${event.prevHash}, the line before it in the chain has ${head.hash}`,
      });
    }
    return breaks;
  }
}

/**
 * A JSON Lines event carries its data twice: the stored text (hashed) and decoded for people. The
 * decoded copy must be what the text decodes to, or a change to it would pass unseen.
 */
const sameData = (event: ExportedEvent & { data?: unknown }): boolean => {
  // A type this release does not know cannot be decoded here; its hash is still checked.
  if (event.data === undefined || !(event.type in EVENT_LAYOUTS)) return true;
  try {
    const decoded = decodeEventData(event.type as LedgerEventType, JSON.parse(event.dataText) as unknown[]);
    return JSON.stringify(decoded) === JSON.stringify(event.data);
  } catch {
    return false;
  }
};
