import { AddressInfo, Socket, createServer, connect } from 'node:net';
import fc from 'fast-check';
import { NetMode, SlowProxy } from './slow-proxy';

/** An echo server: what the proxy hands upstream comes back the same way. */
const echoServer = async () => {
  const server = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((resolve) => server.close(resolve)) };
};

/** Writes the chunks through the proxy and collects the echo until `total` bytes are back. */
const roundTrip = (port: number, chunks: Buffer[]): Promise<{ bytes: Buffer; ms: number }> =>
  new Promise((resolve, reject) => {
    const started = Date.now();
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const got: Buffer[] = [];
    let have = 0;
    const socket: Socket = connect(port, '127.0.0.1', () => {
      for (const chunk of chunks) socket.write(chunk);
    });
    socket.on('data', (data: Buffer) => {
      got.push(data);
      have += data.length;
      if (have >= total) {
        socket.destroy();
        resolve({ bytes: Buffer.concat(got), ms: Date.now() - started });
      }
    });
    socket.on('error', reject);
  });

describe('SlowProxy', () => {
  let echo: Awaited<ReturnType<typeof echoServer>>;
  let proxy: SlowProxy;
  let port: number;

  beforeAll(async () => {
    echo = await echoServer();
    proxy = new SlowProxy({ host: '127.0.0.1', port: echo.port }, 7);
    port = await proxy.listen();
  });

  afterAll(async () => {
    await proxy.close();
    await echo.close();
  });

  const modes: fc.Arbitrary<NetMode> = fc.oneof(
    fc.constant<NetMode>({ kind: 'normal' }),
    fc.integer({ min: 0, max: 5 }).chain((minMs) => fc.integer({ min: minMs, max: minMs + 10 }).map((maxMs): NetMode => ({ kind: 'latency', minMs, maxMs }))),
    fc.integer({ min: 256 * 1024, max: 4 * 1024 * 1024 }).map((bytesPerSecond): NetMode => ({ kind: 'throttle', bytesPerSecond })),
  );

  it('hands over every byte, in order, whatever the mode', async () => {
    await fc.assert(
      fc.asyncProperty(modes, fc.array(fc.uint8Array({ minLength: 1, maxLength: 4096 }), { minLength: 1, maxLength: 30 }), async (mode, arrays) => {
        proxy.set(mode);
        const chunks = arrays.map((a) => Buffer.from(a));
        const { bytes } = await roundTrip(port, chunks);
        expect(bytes.equals(Buffer.concat(chunks))).toBe(true);
      }),
      { numRuns: 40 },
    );
    proxy.set({ kind: 'normal' });
  });

  /** Streams small chunks while the mode flips between a few ms of latency and none; returns what came back. */
  const streamWhileFlipping = (chunks: Buffer[]): Promise<Buffer> =>
    new Promise((resolve) => {
      const received: Buffer[] = [];
      let have = 0;
      const total = chunks.reduce((n, c) => n + c.length, 0);
      const socket: Socket = connect(port, '127.0.0.1', async () => {
        for (const [i, chunk] of chunks.entries()) {
          if (i % 7 === 0) proxy.set(i % 14 === 0 ? { kind: 'latency', minMs: 0, maxMs: 3 } : { kind: 'normal' });
          socket.write(chunk);
          await new Promise((r) => setImmediate(r));
          if (i % 3 === 0) await new Promise((r) => setTimeout(r, 1));
        }
      });
      socket.on('data', (data: Buffer) => {
        received.push(data);
        have += data.length;
        if (have >= total) {
          socket.destroy();
          resolve(Buffer.concat(received));
        }
      });
    });

  it('keeps the order of the bytes while the mode changes under a stream', async () => {
    // A Kafka client read garbage sizes when a chunk let through at once overtook one still
    // delayed, or two delayed chunks' timers fired out of order.
    for (let round = 0; round < 6; round++) {
      const chunks = Array.from({ length: 400 }, (_, i) => Buffer.alloc(64, (i + round) % 251));
      const back = await streamWhileFlipping(chunks);
      proxy.set({ kind: 'normal' });
      expect(back.equals(Buffer.concat(chunks))).toBe(true);
    }
  });

  it('slows the link while the mode says so, and not after', async () => {
    const chunk = [Buffer.from('ping')];
    proxy.set({ kind: 'latency', minMs: 100, maxMs: 120 });
    // Both ways: at least two delays.
    expect((await roundTrip(port, chunk)).ms).toBeGreaterThanOrEqual(190);
    proxy.set({ kind: 'normal' });
    expect((await roundTrip(port, chunk)).ms).toBeLessThan(100);
  });

  it('throttles to the byte rate', async () => {
    proxy.set({ kind: 'throttle', bytesPerSecond: 100 * 1024 });
    const { ms } = await roundTrip(port, [Buffer.alloc(20 * 1024, 1)]);
    proxy.set({ kind: 'normal' });
    // 20 KiB at 100 KiB/s each way.
    expect(ms).toBeGreaterThanOrEqual(350);
  });
});
