import { z } from 'zod';
import { ACTION_ANOMALY_CODES, SIGNAL_TYPES } from '@agent-ledger/contracts';
import { instantOut } from './records.responses';

// The answer of GET /v1/stats (toStatistics of libs/ledger-stats, docs/statistics.md).

const count = z.number().int().min(0);
const ms = z.number().min(0).nullable();
const rate = z.number().min(0).max(1).nullable();
const text = z.string().nullable();
const breakdownCounts = { total: count, executed: count, failed: count, avgDurationMs: ms };
const durationFigures = { n: count, avgMs: ms, minMs: ms, maxMs: ms, p50: ms, p95: ms, p99: ms };

export const statisticsSchema = z
  .object({
    window: z.object({ from: instantOut, to: instantOut, bucket: z.enum(['minute', 'hour', 'day']) }).strict(),
    totals: z.object({ actions: count, byStatus: z.record(count), events: count }).strict(),
    successRate: rate.describe('executed / all actions'),
    successRateOfFinished: rate.describe('executed / (executed + failed)'),
    byTool: z.array(z.object({ tool: text, total: count, executed: count, failed: count, cancelled: count }).strict()),
    byProvider: z.array(z.object({ provider: text, ...breakdownCounts }).strict()),
    byAgent: z.array(z.object({ agentId: text, agentName: text, ...breakdownCounts }).strict()),
    byActor: z.array(z.object({ actorType: text, actorId: text, ...breakdownCounts }).strict()),
    byRiskLevel: z.record(count),
    approvals: z
      .object({
        approved: count,
        rejected: count,
        expired: count,
        auto: count,
        decisionTime: z.object({ n: count, avgMs: ms, p50Ms: ms, p95Ms: ms, maxMs: ms }).strict(),
      })
      .catchall(count),
    duration: z.object(durationFigures).strict(),
    durations: z.array(z.object({ tool: text, ...durationFigures }).strict()),
    failures: z.array(z.object({ tool: text, errorCode: text, n: count }).strict()),
    signals: z.object(Object.fromEntries(SIGNAL_TYPES.map((t) => [t, count])) as Record<(typeof SIGNAL_TYPES)[number], typeof count>).strict(),
    eventsByType: z.record(count),
    series: z.array(z.object({ t: instantOut, actions: count, executed: count, failed: count }).strict()),
    deadLetters: z.object({ inWindow: count, unreplayed: count }).strict(),
    anomalies: z
      .object(Object.fromEntries(ACTION_ANOMALY_CODES.map((c) => [c, count])) as Record<(typeof ACTION_ANOMALY_CODES)[number], typeof count>)
      .strict()
      .describe('Actions of the window (first event in it) marked with each anomaly code (docs/accountability.md)'),
    loss: z
      .object({ openGaps: count, missingEvents: count })
      .strict()
      .describe("Gaps in the tenant's producers' sequence numbers still open, whatever the window, and the numbers they miss (GET /v1/integrity/loss)"),
  })
  .strict();
