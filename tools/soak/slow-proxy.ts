import { AddressInfo, Server, Socket, createServer, connect } from 'node:net';
import { Rng } from '@tally/testing';

/** How the proxy treats bytes: passed at once, each chunk delayed, or throttled to a rate. */
export type NetMode = { kind: 'normal' } | { kind: 'latency'; minMs: number; maxMs: number } | { kind: 'throttle'; bytesPerSecond: number };

/**
 * One direction of one connection: chunks leave in the order they came, each no earlier than the
 * one before it, delayed as the mode says when it arrived. One queue and one timer at a time: a
 * chunk is written only once every chunk before it is (timers of different delays may fire out of
 * their order, and a chunk let through at once may not pass one still waiting). The source is
 * paused while a lot waits, so a throttled peer sees back-pressure as over a slow link.
 */
class Pipe {
  private readonly queue: { at: number; chunk: Buffer }[] = [];
  private queued = 0;
  private timer?: NodeJS.Timeout;
  private ended = false;

  constructor(
    private readonly from: Socket,
    private readonly to: Socket,
    private readonly delayOf: (bytes: number) => number,
  ) {
    from.on('data', (chunk: Buffer) => this.push(chunk));
    from.on('end', () => {
      this.ended = true;
      this.flush();
    });
  }

  private push(chunk: Buffer): void {
    const last = this.queue.length > 0 ? this.queue[this.queue.length - 1].at : 0;
    this.queue.push({ at: Math.max(Date.now() + this.delayOf(chunk.length), last), chunk });
    this.queued += chunk.length;
    if (this.queued > 1 << 20) this.from.pause();
    this.flush();
  }

  /** Writes every chunk due, in order; then waits for the next one. */
  private flush(): void {
    if (this.timer) return;
    while (this.queue.length > 0 && this.queue[0].at <= Date.now()) {
      const { chunk } = this.queue.shift() as { chunk: Buffer };
      this.queued -= chunk.length;
      if (!this.to.destroyed) this.to.write(chunk);
    }
    if (this.queued <= 1 << 20 && this.from.isPaused()) this.from.resume();
    if (this.queue.length > 0) {
      this.timer = setTimeout(
        () => {
          this.timer = undefined;
          this.flush();
        },
        Math.max(1, this.queue[0].at - Date.now()),
      );
    } else if (this.ended && !this.to.destroyed) this.to.end();
  }
}

/**
 * A TCP proxy the soak puts between the services and PostgreSQL, so the fault schedule can make the
 * network slow for a while: per-chunk latency drawn from a seeded generator, or a byte-rate limit.
 */
export class SlowProxy {
  private server?: Server;
  private mode: NetMode = { kind: 'normal' };
  private readonly sockets = new Set<Socket>();
  private readonly rng: Rng;

  constructor(
    private readonly target: { host: string; port: number },
    seed: number,
  ) {
    this.rng = new Rng(seed);
  }

  /** Listens on `port` (0: any free port) of 127.0.0.1; resolves with the port. */
  async listen(port = 0): Promise<number> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  set(mode: NetMode): void {
    this.mode = mode;
  }

  private delayOf = (bytes: number): number => {
    const mode = this.mode;
    if (mode.kind === 'latency') return mode.minMs + Math.floor(this.rng.next() * (mode.maxMs - mode.minMs + 1));
    if (mode.kind === 'throttle') return Math.ceil((bytes * 1000) / mode.bytesPerSecond);
    return 0;
  };

  private accept(client: Socket): void {
    const upstream = connect(this.target.port, this.target.host);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('close', () => this.sockets.delete(socket));
    }
    // Either side failing ends both, as a broken link would.
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    new Pipe(client, upstream, this.delayOf);
    new Pipe(upstream, client, this.delayOf);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
