import { isTimeZone, REPORT_FREQUENCIES } from '@agent-ledger/ledger-stats';
import { z } from 'zod';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const frequency = z.enum(REPORT_FREQUENCIES, { errorMap: () => ({ message: `frequency must be one of: ${REPORT_FREQUENCIES.join(', ')}` }) });
const int = (name: string, min: number, max: number) =>
  z
    .number({ invalid_type_error: `${name} must be a number`, required_error: `${name} is required` })
    .int(`${name} must be a whole number`)
    .min(min, `${name} must be ${min} to ${max}`)
    .max(max, `${name} must be ${min} to ${max}`);

/** PUT /v1/reports: the whole schedule. */
export const putReportScheduleSchema = z
  .object({
    frequency: frequency.describe('daily, or weekly on weekday'),
    hour: int('hour', 0, 23).describe('Local hour (0-23) in timezone at which the report of the preceding period is sent'),
    weekday: int('weekday', 0, 6).nullable().optional().describe('0 = Sunday … 6 = Saturday; required for weekly'),
    timezone: z
      .string({ invalid_type_error: 'timezone must be a string', required_error: 'timezone is required' })
      .refine(isTimeZone, 'timezone must be an IANA time zone, e.g. UTC or Europe/Berlin')
      .describe('IANA time zone'),
    enabled: z.boolean({ invalid_type_error: 'enabled must be true or false' }).default(true),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.frequency === 'weekly' && (b.weekday === undefined || b.weekday === null)) ctx.addIssue({ code: 'custom', path: ['weekday'], message: 'weekday is required for a weekly report' });
    if (b.frequency === 'daily' && b.weekday !== undefined && b.weekday !== null) ctx.addIssue({ code: 'custom', path: ['weekday'], message: 'weekday is only for a weekly report' });
  });
export type PutReportScheduleDto = z.infer<typeof putReportScheduleSchema>;

/** POST /v1/reports/runs: the period ends now; its length is the frequency's (default: the schedule's, else daily). */
export const startReportRunSchema = z.object({ frequency: frequency.optional() }).strict();

export const reportRunIdParam = z.object({ runId: z.string().regex(UUID, 'runId must be a UUID') });
