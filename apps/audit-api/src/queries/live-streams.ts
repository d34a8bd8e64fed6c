import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ApiError } from '@agent-ledger/runtime';
import { gauge } from '@agent-ledger/telemetry';

export const STREAM_OPTIONS = Symbol('STREAM_OPTIONS');

/** Bounds of the live event stream (GET /v1/stream). */
export interface StreamOptions {
  /** Open streams per tenant in this process (429 too_many_streams beyond). */
  maxStreamsPerTenant: number;
  /** Open streams in this process, every tenant together (429 too_many_streams beyond). */
  maxStreams: number;
  /** How far back `since` may reach (400 since_too_old beyond). */
  maxReplayHours: number;
}

/** Seconds a client refused for too many streams is told to wait. */
const STREAMS_RETRY_AFTER_SECONDS = 5;

const openStreams = () => gauge('ledger_audit_api_open_streams', 'Event streams (GET /v1/stream) open in this process');

/**
 * The open event streams of this process: capped per tenant and in all, and ended when the service
 * shuts down (an open stream would hold the server).
 */
@Injectable()
export class LiveStreams implements OnApplicationShutdown {
  private readonly open = new Set<() => void>();
  private readonly perTenant = new Map<string, number>();

  constructor(@Inject(STREAM_OPTIONS) private readonly options: StreamOptions) {}

  /**
   * Registers a stream of the tenant, ended by `stop` at shutdown; the returned function unregisters it.
   * @throws ApiError 429 too_many_streams when the tenant or the process has as many open as allowed.
   */
  add(tenantId: string, stop: () => void): () => void {
    const ofTenant = this.perTenant.get(tenantId) ?? 0;
    if (ofTenant >= this.options.maxStreamsPerTenant) {
      throw ApiError.tooManyRequests('too_many_streams', `this tenant has ${ofTenant} event streams open, the most allowed; close one or retry later`, STREAMS_RETRY_AFTER_SECONDS);
    }
    if (this.open.size >= this.options.maxStreams) {
      throw ApiError.tooManyRequests('too_many_streams', 'this server has as many event streams open as it allows; retry later', STREAMS_RETRY_AFTER_SECONDS);
    }
    this.open.add(stop);
    this.perTenant.set(tenantId, ofTenant + 1);
    openStreams().set(this.open.size);
    let registered = true;
    return () => {
      if (!registered) return;
      registered = false;
      this.open.delete(stop);
      const left = (this.perTenant.get(tenantId) ?? 1) - 1;
      if (left > 0) this.perTenant.set(tenantId, left);
      else this.perTenant.delete(tenantId);
      openStreams().set(this.open.size);
    };
  }

  onApplicationShutdown(): void {
    for (const stop of [...this.open]) stop();
  }
}
