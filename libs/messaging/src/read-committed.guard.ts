/** A fetched record as kafkajs decodes it; control records are transaction markers. */
export interface FetchedRecord {
  offset: string;
  key: Buffer | null;
  isControlRecord: boolean;
  batchContext: { producerId: string; inTransaction: boolean };
}
export interface AbortedTransaction {
  producerId: string;
  firstOffset: string;
}
export type FilterAbortedMessages = <R extends FetchedRecord>(fetched: { messages: R[]; abortedTransactions: AbortedTransaction[] }) => R[];

/** The function every kafkajs consumer batch goes through to leave aborted transactions out. */
export const kafkajsFilterAbortedMessages = (): FilterAbortedMessages => require('kafkajs/src/consumer/filterAbortedMessages') as FilterAbortedMessages;

const record = (offset: string, producerId: string): FetchedRecord => ({
  offset,
  key: Buffer.from('m-1'),
  isControlRecord: false,
  batchContext: { producerId, inTransaction: true },
});

/**
 * kafkajs 2.2.4 hands consumers records of an aborted transaction when another transaction begun
 * after it was aborted before it (patches/kafkajs+2.2.4.patch fixes that; npm install applies it).
 * Installed without it (`--ignore-scripts`), a service would apply purchases whose producer
 * aborted them, so it refuses to start instead.
 */
export const assertReadsCommittedOnly = (filter: FilterAbortedMessages = kafkajsFilterAbortedMessages()): void => {
  const kept = filter({
    messages: [record('0', '1'), record('1', '2')],
    abortedTransactions: [
      { producerId: '2', firstOffset: '1' },
      { producerId: '1', firstOffset: '0' },
    ],
  });
  if (kept.length > 0)
    throw new Error(
      'kafkajs is not patched (patches/kafkajs+2.2.4.patch) and would hand over records of aborted transactions: run npm install, with its scripts',
    );
};
