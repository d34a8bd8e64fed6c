import { ApiError, type ErrorBody } from '@agent-ledger/runtime';

/** Where the archived events of a purged period are (GET /v1/retention lists every purge). */
export interface ArchiveLocation {
  object: string;
  manifest: string;
  location: string;
}

/**
 * 409 `before_retention_horizon`, field `from` (or `window`, for the statistics' named window): the query reaches into a period whose events were
 * purged. The error body carries, next to the usual fields, the horizon and the archives that hold
 * the purged events from `from` on (docs/api-errors.md).
 */
export class BeforeRetentionHorizonException extends ApiError {
  constructor(
    readonly horizon: Date,
    readonly archives: ArchiveLocation[],
    field: 'from' | 'window' = 'from',
  ) {
    super(
      409,
      'before_retention_horizon',
      `${field} reaches before the retention horizon ${horizon.toISOString()}: the events before it were purged${archives.length ? ' and are in the archives listed' : ' (no archive was written)'}; query from the horizon on`,
      field,
    );
  }

  override toBody(): ErrorBody {
    const body = super.toBody();
    return { error: { ...body.error, horizon: this.horizon.toISOString(), archives: this.archives } } as ErrorBody;
  }
}
