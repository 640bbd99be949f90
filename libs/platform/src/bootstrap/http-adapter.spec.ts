import { AddressInfo, connect } from 'node:net';
import { createHttpAdapter } from './bootstrap-service';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
};

describe('the HTTP adapter', () => {
  it("answers a request that arrives while it closes with 503 unavailable in the API's error shape", async () => {
    const fastify = createHttpAdapter().getInstance();
    const slowEntered = deferred();
    const slowMayEnd = deferred();
    const closing = deferred();
    fastify.get('/slow', async () => {
      slowEntered.resolve();
      await slowMayEnd.promise;
      return { slow: true };
    });
    fastify.get('/fast', async () => ({ fast: true }));
    fastify.addHook('preClose', (done) => {
      closing.resolve();
      done();
    });
    await fastify.listen({ port: 0, host: '127.0.0.1' });

    // A keep-alive connection busy with one request stays open while the server closes; the next
    // request on it arrives after closing began.
    const socket = connect((fastify.server.address() as AddressInfo).port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString()));
    const socketClosed = new Promise((resolve) => socket.on('close', resolve));
    socket.write('GET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
    await slowEntered.promise;
    const closed = fastify.close();
    await closing.promise;
    socket.write('GET /fast HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 100));
    slowMayEnd.resolve();
    await closed;
    await socketClosed;

    const answers = received.split(/(?=HTTP\/1\.1 )/);
    expect(answers).toHaveLength(2);
    expect(answers[0]).toMatch(/^HTTP\/1\.1 200 /);
    expect(answers[1]).toMatch(/^HTTP\/1\.1 503 /);
    expect(JSON.parse(answers[1].slice(answers[1].indexOf('\r\n\r\n') + 4))).toEqual({ error: 'unavailable', message: 'the service is shutting down' });
    // Closing waits on the keep-alive connection; on a loaded two-core host that took 4-6 s.
  }, 15_000);
});
