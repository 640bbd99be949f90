import fc from 'fast-check';
import { AbortedTransaction, FetchedRecord, assertReadsCommittedOnly, kafkajsFilterAbortedMessages } from './read-committed.guard';

type LogRecord = FetchedRecord & { committed?: boolean };

const filterAbortedMessages = kafkajsFilterAbortedMessages();

type Step = { kind: 'send'; producer: number; zeroKey?: boolean } | { kind: 'end'; producer: number; commit: boolean } | { kind: 'plain' };

const NON_TRANSACTIONAL = '-1';
const marker = (commit: boolean) => Buffer.from([0, 0, 0, commit ? 1 : 0]);

/**
 * A partition's log as the broker writes it for these steps (a transactional producer's first
 * send begins its transaction; every transaction still open at the end is ended), and the aborted
 * transactions as the broker lists them: in the order of their abort markers.
 */
const logOf = (steps: Step[], endOpen: boolean) => {
  const records: LogRecord[] = [];
  const aborted: (AbortedTransaction & { markerOffset: number })[] = [];
  const open = new Map<number, { first: number; records: LogRecord[] }>();
  const append = (record: Omit<LogRecord, 'offset'>) => {
    const full = { ...record, offset: String(records.length) };
    records.push(full);
    return full;
  };
  const end = (producer: number, commit: boolean) => {
    const txn = open.get(producer);
    if (!txn) return;
    open.delete(producer);
    for (const r of txn.records) r.committed = commit;
    const at = records.length;
    append({ key: marker(commit), isControlRecord: true, batchContext: { producerId: String(producer), inTransaction: true } });
    if (!commit) aborted.push({ producerId: String(producer), firstOffset: String(txn.first), markerOffset: at });
  };
  for (const step of steps) {
    if (step.kind === 'plain')
      append({ key: Buffer.from('m-1'), isControlRecord: false, batchContext: { producerId: NON_TRANSACTIONAL, inTransaction: false }, committed: true });
    else if (step.kind === 'end') end(step.producer, step.commit);
    else {
      const txn = open.get(step.producer) ?? { first: records.length, records: [] };
      open.set(step.producer, txn);
      // A data record's key may look like an abort marker's: Java's IntegerSerializer writes 0 so.
      const key = step.zeroKey ? Buffer.from([0, 0, 0, 0]) : Buffer.from(`m-${step.producer}`);
      txn.records.push(append({ key, isControlRecord: false, batchContext: { producerId: String(step.producer), inTransaction: true } }));
    }
  }
  for (const producer of [...open.keys()]) end(producer, endOpen);
  return { records, aborted };
};

const steps = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('send' as const), producer: fc.integer({ min: 1, max: 3 }), zeroKey: fc.boolean() }),
    fc.record({ kind: fc.constant('end' as const), producer: fc.integer({ min: 1, max: 3 }), commit: fc.boolean() }),
    fc.constant({ kind: 'plain' as const }),
  ),
  { maxLength: 40 },
);

describe('reading committed records only (kafkajs, as patched)', () => {
  it('keeps exactly the committed records, wherever a fetch starts and however transactions interleave', () => {
    fc.assert(
      fc.property(steps, fc.boolean(), fc.nat(), (log, endOpen, start) => {
        const { records, aborted } = logOf(log, endOpen);
        const from = records.length === 0 ? 0 : start % records.length;
        // A fetch from `from` returns the records from there and every aborted transaction not ended before it.
        const fetched = records.filter((r) => Number(r.offset) >= from);
        const abortedTransactions = aborted.filter((t) => t.markerOffset >= from).map(({ producerId, firstOffset }) => ({ producerId, firstOffset }));
        const kept = filterAbortedMessages({ messages: fetched, abortedTransactions }).filter((r) => !r.isControlRecord);
        expect(kept.map((r) => r.offset)).toEqual(fetched.filter((r) => r.committed).map((r) => r.offset));
      }),
      { seed: 20261121, numRuns: 2000 },
    );
  });

  it('drops the records of two aborted transactions whose markers came in the other order than their first records', () => {
    // Producer 1 begins, producer 2 begins, producer 2 aborts, producer 1 aborts: the broker lists 2 before 1.
    const { records, aborted } = logOf(
      [
        { kind: 'send', producer: 1 },
        { kind: 'send', producer: 2 },
        { kind: 'plain' },
        { kind: 'end', producer: 2, commit: false },
        { kind: 'end', producer: 1, commit: false },
        { kind: 'plain' },
      ],
      false,
    );
    expect(aborted.map((t) => t.producerId)).toEqual(['2', '1']);
    const kept = filterAbortedMessages({ messages: records, abortedTransactions: aborted }).filter((r) => !r.isControlRecord);
    expect(kept.map((r) => r.offset)).toEqual(['2', '5']);
  });

  it('is checked when a Kafka client is made: a kafkajs that hands aborted records over is refused', () => {
    expect(() => assertReadsCommittedOnly()).not.toThrow();
    expect(() => assertReadsCommittedOnly(({ messages }) => messages)).toThrow(/kafkajs is not patched/);
  });
});
