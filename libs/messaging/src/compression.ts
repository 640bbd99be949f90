import { promisify } from 'node:util';
import { gzip, unzip } from 'node:zlib';
import { compress as zstdCompress, decompress as zstdDecompress } from '@mongodb-js/zstd';
import type { KafkaCompression } from '@tally/platform';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { compressFrame as lz4Compress, decompressFrame as lz4Decompress } from 'lz4-napi';
import { compress as snappyCompress, uncompress as snappyUncompress } from 'snappy';

/** What kafkajs hands a codec to compress: the encoded records of one batch. */
interface RecordsEncoder {
  buffer: Buffer;
}

interface Codec {
  compress(encoder: RecordsEncoder): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

/**
 * Snappy as the Java client writes it: xerial's stream framing (snappy-java's SnappyOutputStream),
 * a 16-byte header (magic, version, compatible version) then blocks, each a 4-byte big-endian
 * length and one raw snappy block. librdkafka and kafkajs write unframed raw snappy.
 */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_BYTES = 16;

const rawSnappy = async (block: Buffer): Promise<Buffer> => (await snappyUncompress(block, { asBuffer: true })) as Buffer;

export const snappyDecompress = async (data: Buffer): Promise<Buffer> => {
  if (data.length < XERIAL_HEADER_BYTES || !data.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)) return rawSnappy(data);
  const blocks: Buffer[] = [];
  for (let at = XERIAL_HEADER_BYTES; at < data.length;) {
    if (at + 4 > data.length) throw new Error(`xerial block length cut off at byte ${at}`);
    const length = data.readUInt32BE(at);
    at += 4;
    if (at + length > data.length) throw new Error(`xerial block of ${length} bytes at byte ${at} runs past the end (${data.length} bytes)`);
    blocks.push(await rawSnappy(data.subarray(at, at + length)));
    at += length;
  }
  return Buffer.concat(blocks);
};

/**
 * A batch that cannot be decompressed fails its fetch: kafkajs logs the error (as "Response
 * Fetch(...)"), retries and restarts its consumer, and does not move past the batch. The message
 * says which codec and how large the batch was, so the log tells why a partition stands still.
 */
const codec = (name: string, compress: (data: Buffer) => Promise<Buffer>, decompress: (data: Buffer) => Promise<Buffer>): (() => Codec) => {
  const instance: Codec = {
    compress: (encoder) => compress(encoder.buffer),
    decompress: async (buffer) => {
      try {
        return await decompress(buffer);
      } catch (error) {
        throw new Error(`cannot decompress a ${name} record batch (${buffer.length} bytes): ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  };
  return () => instance;
};

/** Kafka's lz4 is the LZ4 frame format (independent blocks); zstd is a standard zstd frame, often without its content size. */
export const CODECS = {
  [CompressionTypes.GZIP]: codec('gzip', promisify(gzip), promisify(unzip)),
  [CompressionTypes.Snappy]: codec('snappy', (data) => snappyCompress(data), snappyDecompress),
  [CompressionTypes.LZ4]: codec(
    'lz4',
    (data) => lz4Compress(data),
    (data) => lz4Decompress(data),
  ),
  [CompressionTypes.ZSTD]: codec(
    'zstd',
    (data) => zstdCompress(data),
    (data) => zstdDecompress(data),
  ),
} as const;

/**
 * kafkajs decodes only gzip by itself; a batch in any other codec fails every fetch of its
 * partition. Registered once per process, for every consumer and producer it creates (gzip too,
 * as kafkajs does it, for the same error message).
 */
export const registerCompressionCodecs = (): void => {
  Object.assign(CompressionCodecs, CODECS);
};

const TYPES: Readonly<Record<KafkaCompression, CompressionTypes>> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

export const compressionType = (name: KafkaCompression): CompressionTypes => TYPES[name];
