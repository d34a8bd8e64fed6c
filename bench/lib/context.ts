import type { Client } from 'pg';
import type { Kafka } from '@agent-ledger/kafka';
import type { LedgerSystem, stackEnv, TestTenant } from '@agent-ledger/testing';
import type { ResourceMonitor } from './resources';

export type Mode = 'quick' | 'full';

/** Every size and duration of a run; the report records the ones used. */
export interface Sizes {
  ingest: { seconds: number; runs: number; batchSize: number; batchConcurrency: number; singleConcurrency: number };
  projection: { events: number; naiveEvents: number; copyRuns: number };
  endToEnd: {
    loads: number[];
    loadSeconds: number;
    batchSize: number;
    probesPerSec: number;
    probeTimeoutMs: number;
    ladder: number[];
    ladderSeconds: number;
    bisectSteps: number;
    /** Rates tried below the ladder's first when that one fails (halving). */
    stepsDown: number;
    drainTimeoutMs: number;
  };
  /** Consumers of one group scaled out on this machine: a backlog of `events` per run, per instance count. */
  scaling: { events: number; instances: number[]; timeoutMs: number };
  escalation: { samples: number; spacingMs: number };
  query: { events: number; actionsRequests: number; statsRequests: number; seedTimeoutMs: number };
}

export const SIZES: Record<Mode, Sizes> = {
  quick: {
    ingest: { seconds: 2.5, runs: 1, batchSize: 100, batchConcurrency: 4, singleConcurrency: 16 },
    projection: { events: 10_000, naiveEvents: 1_000, copyRuns: 1 },
    endToEnd: { loads: [1_000, 2_000, 5_000], loadSeconds: 4, batchSize: 100, probesPerSec: 10, probeTimeoutMs: 8_000, ladder: [4_000, 8_000, 16_000], ladderSeconds: 4, bisectSteps: 1, stepsDown: 1, drainTimeoutMs: 20_000 },
    scaling: { events: 20_000, instances: [1, 2], timeoutMs: 120_000 },
    escalation: { samples: 20, spacingMs: 150 },
    query: { events: 20_000, actionsRequests: 40, statsRequests: 20, seedTimeoutMs: 60_000 },
  },
  full: {
    ingest: { seconds: 15, runs: 3, batchSize: 100, batchConcurrency: 4, singleConcurrency: 16 },
    projection: { events: 100_000, naiveEvents: 10_000, copyRuns: 3 },
    endToEnd: { loads: [1_000, 2_000, 5_000], loadSeconds: 30, batchSize: 100, probesPerSec: 10, probeTimeoutMs: 60_000, ladder: [2_000, 4_000, 8_000, 16_000, 32_000], ladderSeconds: 60, bisectSteps: 3, stepsDown: 3, drainTimeoutMs: 180_000 },
    scaling: { events: 150_000, instances: [1, 2, 3], timeoutMs: 600_000 },
    escalation: { samples: 100, spacingMs: 200 },
    query: { events: 1_000_000, actionsRequests: 200, statsRequests: 100, seedTimeoutMs: 1_800_000 },
  },
};

export interface BenchContext {
  mode: Mode;
  sizes: Sizes;
  stack: ReturnType<typeof stackEnv>;
  /** Owner connection to the test database. */
  db: Client;
  kafka: Kafka;
  /** audit-api and ingest-api, up for the whole run. */
  front: LedgerSystem;
  /** The tenant the load is posted for. */
  tenant: TestTenant;
  monitor: ResourceMonitor;
  log(message: string): void;
}
