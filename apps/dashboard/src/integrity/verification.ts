import type { VerifyResult } from '../api/types';
import { formatNumber } from '../shared/format';

/** What a verification found, in one line. */
export function describeVerification(r: VerifyResult): string {
  if (r.ok) return `${formatNumber(r.eventsChecked)} events and ${formatNumber(r.checkpointsChecked)} signed checkpoints check out`;
  const f = r.firstFailure;
  if (!f) return 'the record does not verify';
  const where = [f.partition !== undefined ? `partition ${f.partition}` : '', f.chainSeq !== undefined ? `position ${f.chainSeq}` : '', f.eventId ? `event ${f.eventId}` : ''].filter(Boolean).join(', ');
  const more = (r.failures?.length ?? 1) > 1 ? ` (+${(r.failures?.length ?? 1) - 1} more)` : '';
  return `${f.kind.replace(/_/g, ' ')}${where ? ` at ${where}` : ''}${f.reason ? `: ${f.reason}` : ''}${more}`;
}
