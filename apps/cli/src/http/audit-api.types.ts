/**
 * The audit API's answers as the CLI reads them: aliases of what the OpenAPI document declares
 * (openapi/audit-api.json, generated from the controllers; audit-api.gen.ts is generated from it by
 * `npm run build`), never shapes written by hand.
 */
import type { AuditApiOperations as operations } from '@agent-ledger/contracts';

/** The JSON body an operation answers with `status` (200 unless given). */
export type AuditAnswer<Op extends keyof operations, Status extends keyof operations[Op]['responses'] = 200 & keyof operations[Op]['responses']> = operations[Op]['responses'][Status] extends {
  content: { 'application/json': infer Body };
}
  ? Body
  : never;

export type ActionPage = AuditAnswer<'RecordsController_listActions'>;
export type ActionAnswer = ActionPage['items'][number];
export type EventPage = AuditAnswer<'RecordsController_listEvents'>;
export type SessionSummaryAnswer = AuditAnswer<'RecordsController_session'>;
export type StatsAnswer = AuditAnswer<'StatsController_statistics'>;
export type VerifyAnswer = AuditAnswer<'IntegrityController_verify'>;
export type EscalationPage = AuditAnswer<'EscalationsController_list'>;
/** What opening, acknowledging or resolving an escalation answers (202). */
export type EscalationChangeAnswer = AuditAnswer<'EscalationsController_acknowledge', 202>;
export type DeadLetterReplayAnswer = AuditAnswer<'DeadLettersController_replay'>;
export type RetentionAnswer = AuditAnswer<'RetentionController_get'>;
export type RetentionRunAnswer = AuditAnswer<'RetentionController_run'>;
