import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Checkpoint } from '@agent-ledger/contracts';
import { metricsRegistry } from '@agent-ledger/telemetry';
import type { WitnessConfig } from '../config/witness.config';
import { WitnessWebhook } from './witness-webhook.service';

const aCheckpoint = (): Checkpoint => ({
  checkpointId: randomUUID(),
  tenantId: randomUUID(),
  createdAt: '2026-01-01T00:00:00.000Z',
  heads: [{ partition: 0, chainSeq: '1', hash: 'a'.repeat(64) }],
  keyId: '0123456789abcdef',
  signature: 'c2lnbmF0dXJl',
});

describe(WitnessWebhook.name, () => {
  let server: Server;
  let answers: number[];
  let received: string[];
  let url: string;

  beforeEach(async () => {
    answers = [];
    received = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(body);
        res.statusCode = answers.shift() ?? 200;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/witness`;
  });

  afterEach(() => new Promise<void>((r) => server.close(() => r())));

  const until = async (cond: () => boolean) => {
    for (const deadline = Date.now() + 10_000; !cond() && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 50));
  };
  const webhook = (attempts: number) => new WitnessWebhook({ WITNESS_WEBHOOK_URL: url, WITNESS_WEBHOOK_ATTEMPTS: attempts, WITNESS_WEBHOOK_TIMEOUT_MS: 2_000 } as WitnessConfig);
  const count = async (outcome: string) => {
    const m = (await metricsRegistry.getSingleMetric('ledger_witness_webhook_total')?.get())?.values.find((v) => v.labels.outcome === outcome);
    return m?.value ?? 0;
  };

  it('should POST the checkpoint as JSON and retry after a failure when the endpoint answers 503 first', async () => {
    answers = [503];
    const cp = aCheckpoint();
    const hook = webhook(3);
    hook.deliver(cp);
    await until(() => received.length === 2);
    await hook.drain();
    expect(received.map((b) => JSON.parse(b))).toEqual([cp, cp]);
    expect(await count('delivered')).toBeGreaterThanOrEqual(1);
  });

  it('should give up after the last attempt and count the failure when the endpoint keeps failing', async () => {
    answers = [500, 500];
    const before = await count('failed');
    const hook = webhook(2);
    hook.deliver(aCheckpoint());
    await until(() => received.length === 2);
    await hook.drain();
    expect(received).toHaveLength(2);
    expect(await count('failed')).toBe(before + 1);
  });

  it('should send nothing when no URL is configured', async () => {
    new WitnessWebhook({} as WitnessConfig).deliver(aCheckpoint());
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toEqual([]);
  });
});
