import type { VerifyResult } from '../api/types';
import { formatDuration, formatNumber } from '../shared/format';

export type Verdict = 'ok' | 'unverified' | 'failed';

/** The verdict of a verification: `status`, or from `ok` for an answer without one. Never ok unless the answer says ok. */
export function verdictOf(r: VerifyResult): Verdict {
  if (r.status === 'unverified' || r.status === 'failed') return r.status;
  return r.ok && (r.status === undefined || r.status === 'ok') ? 'ok' : 'failed';
}

const checkpointAge = (r: VerifyResult) =>
  r.newestCheckpointAge === null || r.newestCheckpointAge === undefined ? 'no signed checkpoint yet' : `newest signed checkpoint ${formatDuration(r.newestCheckpointAge * 1000)} ago`;

const count = (n: number, noun: string) => `${formatNumber(n)} ${noun}${n === 1 ? '' : 's'}`;

/** The Merkle tree's part of an answer that verifies: recomputed, and checked against signed tree heads. */
const treePart = (r: VerifyResult) => {
  const m = r.merkle;
  if (!m || !m.treeSize) return '';
  const heads = m.treeHeadsChecked ? ` against ${count(m.treeHeadsChecked, 'signed tree head')}` : '';
  return `, and so does the Merkle tree of ${formatNumber(m.treeSize)} lea${m.treeSize === 1 ? 'f' : 'ves'}${heads}`;
};

/** What a verification found, in one line. */
export function describeVerification(r: VerifyResult): string {
  const verdict = verdictOf(r);
  if (verdict === 'ok') return `${count(r.eventsChecked, 'event')} and ${count(r.checkpointsChecked, 'signed checkpoint')} check out${treePart(r)}`;
  if (verdict === 'unverified') {
    const uncovered = (r.uncovered ?? []).reduce((n, u) => n + u.events, 0);
    const parts = [
      uncovered ? `${formatNumber(uncovered)} of ${formatNumber(r.eventsChecked)} events not yet covered by a signed checkpoint` : `${formatNumber(r.eventsChecked)} events check out`,
      checkpointAge(r),
      ...(r.unverifiedReasons ?? []).filter((reason) => !/not signed yet|no signed checkpoint/.test(reason)),
    ];
    return parts.join('; ');
  }
  const f = r.firstFailure;
  if (!f) return 'the record does not verify';
  const where = [
    f.partition !== undefined ? `partition ${f.partition}` : '',
    f.chainSeq !== undefined ? `position ${f.chainSeq}` : '',
    f.eventId ? `event ${f.eventId}` : '',
    f.leafIndex !== undefined ? `leaf ${formatNumber(f.leafIndex)}` : '',
    f.treeSize !== undefined ? `tree size ${formatNumber(f.treeSize)}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const more = (r.failures?.length ?? 1) > 1 ? ` (+${(r.failures?.length ?? 1) - 1} more)` : '';
  return `${f.kind.replace(/_/g, ' ')}${where ? ` at ${where}` : ''}${f.reason ? `: ${f.reason}` : ''}${more}`;
}
