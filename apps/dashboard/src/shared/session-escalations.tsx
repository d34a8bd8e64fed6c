import { normalizeEscalation, type Escalation } from '../api/escalations';
import type { SessionEscalations as Counts } from '../api/types';
import { escalationPath, Link } from '../shell/router';
import { Badge } from './badges';
import { humanize } from './vocabulary';

/** A session's escalations: counts by status and links to those not yet resolved. */
export function SessionEscalations({ counts }: { counts: Counts | undefined }) {
  if (!counts) return null;
  const active = (counts.active ?? []).map(normalizeEscalation).filter((e): e is Escalation => e !== undefined);
  if (!counts.open && !counts.acknowledged && !counts.resolved) return <span className="muted">none</span>;
  return (
    <>
      {counts.open} open, {counts.acknowledged} acknowledged, {counts.resolved} resolved
      {active.length > 0 && (
        <ul className="plain-list">
          {active.map((e) => (
            <li key={e.id}>
              <Link to={escalationPath(e.id)}>{e.reason ? humanize(e.reason) : 'escalation'}</Link> <Badge kind="escalation" value={e.status} />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
