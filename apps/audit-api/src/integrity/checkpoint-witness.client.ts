import { Inject, Injectable } from '@nestjs/common';
import { validateCheckpoint, type Checkpoint } from '@agent-ledger/contracts';
import { createLogger } from '@agent-ledger/telemetry';
import { INTEGRITY_SETTINGS, type IntegritySettings } from './integrity.settings';

/** What the external checkpoint log answered for a tenant. */
export type WitnessAnswer =
  | { status: 'not_configured' }
  | { status: 'read'; checkpoints: Checkpoint[] }
  | { status: 'unavailable'; reason: string };

/**
 * Reads a tenant's checkpoints from the checkpoint witness (LEDGER_WITNESS_URL):
 * `GET /v1/checkpoints/:tenantId`, NDJSON, oldest first. An unreachable witness, an error status
 * or a line that is not a checkpoint makes the answer `unavailable` with the reason (verification
 * then answers unverified, never ok); it is never thrown.
 */
@Injectable()
export class CheckpointWitnessClient {
  private readonly log = createLogger(CheckpointWitnessClient.name);

  constructor(@Inject(INTEGRITY_SETTINGS) private readonly settings: IntegritySettings) {}

  async checkpointsOf(tenantId: string): Promise<WitnessAnswer> {
    const base = this.settings.witnessUrl;
    if (!base) return { status: 'not_configured' };
    const url = `${base.replace(/\/+$/, '')}/v1/checkpoints/${encodeURIComponent(tenantId)}`;
    let text: string;
    try {
      const res = await fetch(url, {
        headers: { accept: 'application/x-ndjson', ...(this.settings.witnessToken ? { authorization: `Bearer ${this.settings.witnessToken}` } : {}) },
        signal: AbortSignal.timeout(this.settings.witnessTimeoutMs),
      });
      text = await res.text();
      if (res.status === 404) return { status: 'read', checkpoints: [] };
      if (res.status !== 200) return this.unavailable(tenantId, `the checkpoint witness answered ${res.status}`);
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
      return this.unavailable(tenantId, `the checkpoint witness could not be read (${cause})`);
    }
    const checkpoints: Checkpoint[] = [];
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i].trim()) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(lines[i]);
      } catch {
        return this.unavailable(tenantId, `line ${i + 1} of the checkpoint witness's answer is not JSON`);
      }
      const valid = validateCheckpoint(parsed);
      if (!valid.ok) return this.unavailable(tenantId, `line ${i + 1} of the checkpoint witness's answer is not a checkpoint`);
      if (valid.value.tenantId !== tenantId) return this.unavailable(tenantId, `line ${i + 1} of the checkpoint witness's answer is another tenant's checkpoint`);
      checkpoints.push(valid.value);
    }
    return { status: 'read', checkpoints };
  }

  private unavailable(tenantId: string, reason: string): WitnessAnswer {
    this.log.warn({ tenantId, reason }, 'checkpoint witness unavailable; verification answers unverified');
    return { status: 'unavailable', reason };
  }
}
