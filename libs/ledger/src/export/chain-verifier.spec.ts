import { GENESIS_HASH, eventHash } from '../hashing/event-hash';
import { decodeEventData } from '../storage/event-codec';
import { ChainVerifier } from './chain-verifier';
import { CSV_HEADER, ExportFormat, ExportedEvent, exportLine, parseCsvLine } from './exported-event';

const chain = (memberId: string, count: number, firstPosition: number): ExportedEvent[] => {
  const events: ExportedEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let version = 1; version <= count; version++) {
    const fields = {
      memberId,
      version,
      eventId: `00000000-0000-4000-8000-00000000000${version}`,
      type: 'points.earned',
      occurredAt: '2026-11-23T02:15:00.000Z',
      recordedAt: '2026-11-23T02:15:01.123Z',
      causationId: `pos-7-${version}`,
      dataText: `[${version * 10},"l-${version}","2027-11-23T02:15:00.000Z","purchase","member",1,[],"sh,07"]`,
    };
    const hash = eventHash(prevHash, fields);
    events.push({ ...fields, position: String(firstPosition + version * 2), prevHash, hash });
    prevHash = hash;
  }
  return events;
};

const linesOf = (events: ExportedEvent[], format: ExportFormat): string[] => events.map((e) => exportLine(e, format).trimEnd());

const verify = (lines: string[], format: ExportFormat) => {
  const verifier = new ChainVerifier(format);
  return lines.flatMap((line, i) => verifier.check(line, i + 1));
};

describe('ChainVerifier', () => {
  const events = chain('m-1', 4, 0);

  it.each(['jsonl', 'csv'] as const)('accepts an untouched %s export', (format) => {
    expect(verify(linesOf(events, format), format)).toEqual([]);
  });

  it('names the line whose content changed by one byte', () => {
    const lines = linesOf(events, 'jsonl');
    lines[2] = lines[2].replace('[30,', '[31,');
    expect(verify(lines, 'jsonl')).toEqual([expect.objectContaining({ line: 3, reason: 'hash-mismatch', version: 3 })]);
  });

  it('names a line whose readable data was changed while the stored text was not', () => {
    const lines = events.map((e) => exportLine(e, 'jsonl', decodeEventData('points.earned', JSON.parse(e.dataText) as unknown[])).trimEnd());
    expect(verify(lines, 'jsonl')).toEqual([]);
    lines[1] = lines[1].replace('"points":20', '"points":2000');
    expect(verify(lines, 'jsonl')).toEqual([expect.objectContaining({ line: 2, reason: 'data-mismatch' })]);
  });

  it('names a removed event as a version gap and a broken link', () => {
    const lines = linesOf(events, 'jsonl');
    lines.splice(1, 1);
    expect(verify(lines, 'jsonl').map((b) => [b.line, b.reason])).toEqual([
      [2, 'version-gap'],
      [2, 'prev-hash-mismatch'],
    ]);
  });

  it('names a CSV line whose hash was rewritten, and the next line of its chain', () => {
    const lines = linesOf(events, 'csv');
    const rewritten = events[1].hash.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    lines[1] = lines[1].replace(events[1].hash, rewritten);
    expect(verify(lines, 'csv').map((b) => [b.line, b.reason])).toEqual([
      [2, 'hash-mismatch'],
      [3, 'prev-hash-mismatch'],
    ]);
  });

  it('says which line is not an event at all', () => {
    expect(verify(['{"position":"1"'], 'jsonl')).toEqual([expect.objectContaining({ line: 1, reason: 'unreadable' })]);
  });

  it('reads quoted CSV fields with commas and doubled quotes', () => {
    expect(parseCsvLine('1,"a,b","say ""hi""",')).toEqual(['1', 'a,b', 'say "hi"', '']);
    expect(CSV_HEADER.startsWith('position,')).toBe(true);
  });
});
