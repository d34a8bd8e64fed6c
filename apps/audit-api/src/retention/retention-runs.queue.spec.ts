import { createServer, type Server } from 'node:net';
import { ApiError } from '@agent-ledger/runtime';
import { RetentionRunsQueue } from './retention-runs.queue';

/** A TCP port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const srv: Server = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

/** A TCP server that accepts connections and never answers (a Redis that hangs). */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const srv = createServer((s) => sockets.add(s));
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return {
    port: (srv.address() as { port: number }).port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => srv.close(() => resolve()));
    },
  };
}

const data = { tenantId: '6f1c1b8e-5d7a-4c1e-9f3a-2b6d8e9a0c11', runId: '0b9c4a52-8f0e-4c55-9d8c-8a4f1f6f2b10', requestedBy: 'key-1' };

describe(RetentionRunsQueue.name, () => {
  it('should answer 503 queue_unavailable with Retry-After at once when Redis is unreachable', async () => {
    const queue = new RetentionRunsQueue({ redisUrl: `redis://127.0.0.1:${await closedPort()}`, queuePrefix: 'unit', queueTimeoutMs: 2_000 });
    try {
      const started = Date.now();
      const err = await queue.add(data).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect(err).toMatchObject({ status: 503, code: 'queue_unavailable', headers: { 'Retry-After': '2' } });
      await expect(queue.find(data.runId)).rejects.toMatchObject({ status: 503, code: 'queue_unavailable' });
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      await queue.onApplicationShutdown();
    }
  });

  it('should answer 503 at once when Redis accepts the connection but never becomes ready', async () => {
    const server = await silentServer();
    const queue = new RetentionRunsQueue({ redisUrl: `redis://127.0.0.1:${server.port}`, queuePrefix: 'unit', queueTimeoutMs: 300 });
    try {
      const started = Date.now();
      await expect(queue.add(data)).rejects.toMatchObject({ status: 503, code: 'queue_unavailable' });
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await Promise.race([queue.onApplicationShutdown(), new Promise((r) => setTimeout(r, 500))]);
      await server.close();
    }
  });
});
