import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ESCALATIONS_TOPIC, type EscalationEvent } from '@agent-ledger/contracts';
import { BatchConsumerRunner } from '@agent-ledger/kafka';
import { anActionEventInput, uniqueSuffix, waitFor, type LedgerSystem } from '@agent-ledger/testing';
import type { BenchContext } from '../lib/context';
import { request } from '../lib/http';
import { round, sleep, summarize, type LatencySummary } from '../lib/stats';

export interface EscalationResult {
  samples: number;
  spacingMs: number;
  escalation: LatencySummary & { rawMs: number[]; missing: number };
  notification: LatencySummary & { rawMs: number[]; missing: number };
  /** escalation.opened on the topic → webhook received, per sample. */
  notifyAfterOpenedMs: LatencySummary;
}

/** A webhook endpoint on loopback recording when each call arrived. */
class WebhookReceiver {
  readonly calls: { at: number; body: string }[] = [];
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.calls.push({ at: performance.now(), body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/bench-hook`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Failed events of a destructive tool (rule action_failed), one new session each, posted one by one:
 * the time until escalation.opened arrives on the escalations topic (a subscriber of its own), and
 * until the notifier's signed webhook reaches a receiver on loopback.
 */
export async function escalationPhase(ctx: BenchContext, back: LedgerSystem): Promise<EscalationResult> {
  const s = ctx.sizes.escalation;
  const tenant = await ctx.front.createTenant(`bench-escalation-${uniqueSuffix()}`);
  const receiver = new WebhookReceiver();
  const hookUrl = await receiver.start();
  const channels = await ctx.front.api('PUT', '/v1/channels', tenant.apiKeys.admin, { webhooks: [{ url: hookUrl }] });
  if (channels.status !== 200) throw new Error(`PUT /v1/channels answered ${channels.status}: ${JSON.stringify(channels.body)}`);

  const opened = new Map<string, number>();
  const groupId = `bench-downstream-${uniqueSuffix()}`;
  await back.startKafkaGroupAtTopicEnd(groupId, ESCALATIONS_TOPIC);
  const downstream = new BatchConsumerRunner(ctx.kafka, {
    groupId,
    topics: [ESCALATIONS_TOPIC],
    handleBatch: async (batch) => {
      const at = performance.now();
      for (const m of batch.messages) {
        const e = JSON.parse(m.value!.toString()) as EscalationEvent;
        if (e.tenantId === tenant.tenantId && e.type === 'escalation.opened' && !opened.has(e.sessionId)) opened.set(e.sessionId, at);
      }
    },
  });
  await downstream.start();
  await waitFor(() => downstream.assignment.length > 0, { timeoutMs: 30_000, what: 'the escalations subscriber to join its group' });

  const sent = new Map<string, number>();
  const run = `esc-${uniqueSuffix()}`;
  try {
    for (let k = 0; k < s.samples; k++) {
      const sessionId = `${run}-${k}`;
      const event = anActionEventInput({ type: 'action.failed', sessionId, tool: { name: 'delete_account', provider: 'crm', riskLevel: 'destructive' } });
      const t0 = performance.now();
      const answer = await request('POST', `${ctx.front.url('ingest-api')}/v1/events`, tenant.apiKeys.ingest, JSON.stringify(event));
      if (answer.status !== 202) throw new Error(`POST /v1/events answered ${answer.status}: ${answer.body}`);
      sent.set(sessionId, t0);
      await sleep(s.spacingMs);
    }
    const hooked = () => new Set([...sent.keys()].filter((id) => receiver.calls.some((c) => c.body.includes(`"${id}"`))));
    await waitFor(() => opened.size >= sent.size && hooked().size >= sent.size, { timeoutMs: 30_000, what: 'every escalation and webhook' }).catch(() => undefined);
  } finally {
    await downstream.stop();
    await receiver.stop();
  }

  const escalationMs: number[] = [];
  const notificationMs: number[] = [];
  const afterOpened: number[] = [];
  for (const [sessionId, t0] of sent) {
    const o = opened.get(sessionId);
    if (o !== undefined) escalationMs.push(o - t0);
    const call = receiver.calls.find((c) => c.body.includes(`"${sessionId}"`));
    if (call) notificationMs.push(call.at - t0);
    if (call && o !== undefined) afterOpened.push(call.at - o);
  }
  ctx.log(`  escalation p50 ${summarize(escalationMs).p50Ms} p95 ${summarize(escalationMs).p95Ms} ms; webhook p50 ${summarize(notificationMs).p50Ms} p95 ${summarize(notificationMs).p95Ms} ms`);
  return {
    samples: s.samples,
    spacingMs: s.spacingMs,
    escalation: { ...summarize(escalationMs), rawMs: escalationMs.map((v) => round(v, 1)), missing: s.samples - escalationMs.length },
    notification: { ...summarize(notificationMs), rawMs: notificationMs.map((v) => round(v, 1)), missing: s.samples - notificationMs.length },
    notifyAfterOpenedMs: summarize(afterOpened),
  };
}
