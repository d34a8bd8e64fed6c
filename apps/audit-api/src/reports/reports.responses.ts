import { REPORT_FREQUENCIES, type ReportSchedule } from '@agent-ledger/ledger-stats';
import { z } from 'zod';
import type { ReportRunRow } from './reports.repository';

const instant = z.string().datetime();

export const reportScheduleSchema = z
  .object({
    frequency: z.enum(REPORT_FREQUENCIES),
    hour: z.number().int().min(0).max(23),
    weekday: z.number().int().min(0).max(6).nullable().describe('0 = Sunday … 6 = Saturday; null for a daily report'),
    timezone: z.string().min(1),
    enabled: z.boolean(),
  })
  .strict() satisfies z.ZodType<ReportSchedule>;

/** A report run: its period and its state (requested → sent or failed). */
export const reportRunSchema = z
  .object({
    runId: z.string().uuid(),
    trigger: z.enum(['schedule', 'manual'] as const satisfies readonly ReportRunRow['trigger'][]),
    frequency: z.enum(REPORT_FREQUENCIES),
    period: z.object({ from: instant, to: instant }).strict(),
    status: z.enum(['requested', 'sent', 'failed'] as const satisfies readonly ReportRunRow['status'][]),
    recipients: z.number().int().min(0).nullable().describe('How many addresses the report went to, once sent'),
    error: z.string().nullable(),
    requestedAt: instant,
    finishedAt: instant.nullable(),
  })
  .strict();

/** GET /v1/reports. */
export const reportsViewSchema = z
  .object({
    schedule: reportScheduleSchema.nullable().describe('null while no schedule is set'),
    recentRuns: z.array(reportRunSchema).max(20).describe('The newest runs first'),
  })
  .strict();

/** PUT /v1/reports. */
export const reportScheduleAnswerSchema = z.object({ schedule: reportScheduleSchema }).strict();
