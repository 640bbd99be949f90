import fc from 'fast-check';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { CODECS, registerCompressionCodecs } from './compression';

// Record batches' compressed records as Apache Kafka's Java client (4.4) wrote them, one record
// each with key "k1": lz4 is an LZ4 frame, snappy is xerial-framed, zstd is a frame without its
// content size.
const JAVA = {
  [CompressionTypes.LZ4]: { value: 'v-lz4-lz4-lz4-lz4-lz4-lz4-lz4-lz4', hex: '04224d1860408217000000df52000000046b3142762d6c7a34040005502d6c7a340000000000' },
  [CompressionTypes.Snappy]: {
    value: 'v-snappy-snappy-snappy-snappy-snappy',
    hex: '82534e41505059000000000100000001000000172d3c58000000046b3148762d736e617070796e07000000',
  },
  [CompressionTypes.ZSTD]: { value: 'v-zstd-zstd-zstd-zstd-zstd-zstd', hex: '28b52ffd0058ac0000784e000000046b313e762d7a737464000100588a12010000' },
};

const TYPES = [CompressionTypes.GZIP, CompressionTypes.Snappy, CompressionTypes.LZ4, CompressionTypes.ZSTD] as const;
const NAMES = { [CompressionTypes.GZIP]: 'gzip', [CompressionTypes.Snappy]: 'snappy', [CompressionTypes.LZ4]: 'lz4', [CompressionTypes.ZSTD]: 'zstd' };
const named = <T extends (typeof TYPES)[number]>(types: readonly T[]) => types.map((type) => [NAMES[type], type] as const);

const codecOf = (type: (typeof TYPES)[number]) => CODECS[type]();
const compress = (type: (typeof TYPES)[number], data: Buffer) => codecOf(type).compress({ buffer: data });
const decompress = (type: (typeof TYPES)[number], data: Buffer) => codecOf(type).decompress(data);

/** Record bytes as a batch holds them: repetitive, like JSON inputs, with some noise. */
const records = fc
  .array(fc.oneof(fc.constantFrom('{"eventId":"pos-', '"memberId":"m-', '","amountMinor":'), fc.string({ maxLength: 20 })), { maxLength: 400 })
  .map((parts) => Buffer.from(parts.join('')));

describe('Kafka compression codecs', () => {
  it.each(named([CompressionTypes.Snappy, CompressionTypes.LZ4, CompressionTypes.ZSTD]))('decode what the Java client writes (%s)', async (_, type) => {
    const records = await decompress(type, Buffer.from(JAVA[type].hex, 'hex'));
    expect(records.toString('latin1')).toContain(JAVA[type].value);
  });

  it.each(named(TYPES))('get back, decompressing, exactly what they compressed (%s)', async (_, type) => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          records,
          fc.uint8Array({ maxLength: 200_000 }).map((a) => Buffer.from(a)),
        ),
        async (data) => {
          expect((await decompress(type, await compress(type, data))).equals(data)).toBe(true);
        },
      ),
      { seed: 20261121, numRuns: 60 },
    );
  });

  it('decode unframed snappy (librdkafka and kafkajs write it) as well as the xerial framing spread over several blocks', async () => {
    const block = (text: string) => compress(CompressionTypes.Snappy, Buffer.from(text));
    const [a, b] = [await block('first block, '), await block('second block')];
    const length = (n: number) => Buffer.from([0, 0, 0, n]);
    const header = Buffer.from('82534e4150505900' + '00000001' + '00000001', 'hex');
    expect((await decompress(CompressionTypes.Snappy, Buffer.concat([header, length(a.length), a, length(b.length), b]))).toString()).toBe(
      'first block, second block',
    );
    expect((await decompress(CompressionTypes.Snappy, a)).toString()).toBe('first block, ');
  });

  it.each(named(TYPES))('reject a corrupt or cut-off batch with an error naming the codec, never throwing outside the promise (%s)', async (_, type) => {
    const whole = await compress(type, Buffer.from('{"eventId":"pos-1","memberId":"m-1"}'.repeat(200)));
    await expect(decompress(type, whole.subarray(0, whole.length - 7))).rejects.toThrow(
      `cannot decompress a ${NAMES[type]} record batch (${whole.length - 7} bytes)`,
    );
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), async (bytes) => {
        const outcome = await decompress(type, Buffer.from(bytes)).then(
          (data) => data,
          (error: Error) => error,
        );
        if (outcome instanceof Error) expect(outcome.message).toMatch(new RegExp(`^cannot decompress a ${NAMES[type]} record batch`));
        else expect(Buffer.isBuffer(outcome)).toBe(true);
      }),
      { seed: 20261121, numRuns: 300 },
    );
  });

  it('are what kafkajs looks up for every compression type once registered', () => {
    registerCompressionCodecs();
    for (const type of TYPES) expect(CompressionCodecs[type]()).toBe(codecOf(type));
  });
});
