import { STATS_WINDOW_NAMES } from '@agent-ledger/ledger-stats';
import { instantParam } from '@agent-ledger/runtime';
import { z } from 'zod';

const BUCKETS = ['minute', 'hour', 'day'] as const;

/** `GET /v1/stats`: `from`/`to`, or a named `window` (1h … 90d) ending at `to` or now; at most 90 days. */
export const statsSchema = z
  .object({
    from: instantParam('from').optional(),
    to: instantParam('to').optional(),
    window: z.enum(STATS_WINDOW_NAMES, { errorMap: () => ({ message: `window must be one of: ${STATS_WINDOW_NAMES.join(', ')}` }) }).optional(),
    bucket: z.enum(BUCKETS, { errorMap: () => ({ message: `bucket must be one of: ${BUCKETS.join(', ')}` }) }).optional(),
  })
  .strict();
export type StatsQuery = z.infer<typeof statsSchema>;
