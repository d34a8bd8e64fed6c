import { Inject, Injectable } from '@nestjs/common';
import { canonicalJson, type Checkpoint } from '@agent-ledger/contracts';
import { counter, createLogger } from '@agent-ledger/telemetry';
import type { WitnessConfig } from '../config/witness.config';
import { WITNESS_CONFIG } from '../shared/witness-config.token';

const deliveries = () => counter('ledger_witness_webhook_total', 'Witness webhook deliveries of stored checkpoints, by outcome', ['outcome']);

const MAX_IN_FLIGHT = 1_000;

/**
 * Optional second witness: POSTs each newly stored checkpoint (canonical JSON) to WITNESS_WEBHOOK_URL,
 * retrying with exponential backoff (1 s doubling, at most WITNESS_WEBHOOK_ATTEMPTS attempts). Runs
 * beside the store and never blocks it: failures are logged and counted, beyond MAX_IN_FLIGHT pending
 * deliveries new ones are dropped (counted) — the store stays the record.
 */
@Injectable()
export class WitnessWebhook {
  private readonly log = createLogger(WitnessWebhook.name);
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;

  constructor(@Inject(WITNESS_CONFIG) private readonly config: WitnessConfig) {}

  deliver(cp: Checkpoint): void {
    if (!this.config.WITNESS_WEBHOOK_URL) return;
    if (this.inFlight.size >= MAX_IN_FLIGHT) {
      deliveries().inc({ outcome: 'dropped' });
      return;
    }
    const p = this.send(this.config.WITNESS_WEBHOOK_URL, cp).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  /** Waits (bounded) for deliveries in flight, without further retries. */
  async drain(timeoutMs = 5_000): Promise<void> {
    this.stopping = true;
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  private async send(url: string, cp: Checkpoint): Promise<void> {
    const body = canonicalJson(cp);
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(this.config.WITNESS_WEBHOOK_TIMEOUT_MS),
        });
        await res.body?.cancel();
        if (res.ok) {
          deliveries().inc({ outcome: 'delivered' });
          return;
        }
        throw new Error(`answered ${res.status}`);
      } catch (err) {
        if (attempt >= this.config.WITNESS_WEBHOOK_ATTEMPTS || this.stopping) {
          deliveries().inc({ outcome: 'failed' });
          this.log.warn({ err, tenantId: cp.tenantId, checkpointId: cp.checkpointId, attempts: attempt }, 'witness webhook delivery failed');
          return;
        }
        deliveries().inc({ outcome: 'retried' });
        await new Promise((r) => setTimeout(r, Math.min(1_000 * 2 ** (attempt - 1), 60_000)).unref());
      }
    }
  }
}
