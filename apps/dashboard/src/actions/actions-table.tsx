import type { Action } from '../api/types';
import { Badge } from '../shared/badges';
import { formatDateTime, formatDuration } from '../shared/format';
import { humanize } from '../shared/vocabulary';
import { actionPath, Link } from '../shell/router';

/** Actions, most recently recorded first; on a phone each row becomes a card (labels from data-label). */
export function ActionsTable({ actions, highlighted }: { actions: Action[]; highlighted: ReadonlySet<string> }) {
  return (
    <div className="table-scroll" role="region" aria-label="Actions" tabIndex={0}>
      <table className="actions-table responsive">
        <caption className="visually-hidden">Actions, most recently recorded first</caption>
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">Tool</th>
            <th scope="col">Status</th>
            <th scope="col">Risk</th>
            <th scope="col">Approval</th>
            <th scope="col">Session</th>
            <th scope="col">Actor</th>
            <th scope="col" className="num">
              Duration
            </th>
            <th scope="col">Notes</th>
          </tr>
        </thead>
        <tbody>
          {actions.map((a) => (
            <tr key={a.actionId} className={highlighted.has(a.actionId) ? 'fresh' : undefined} data-action-id={a.actionId}>
              <td data-label="Started">
                <time dateTime={a.firstEventAt ?? undefined}>{formatDateTime(a.firstEventAt)}</time>
              </td>
              <td data-label="Tool">
                <Link to={actionPath(a.actionId)} className="row-link">
                  {a.tool?.name ?? '(no tool)'}
                  <span className="visually-hidden"> action {a.actionId}</span>
                </Link>
                <div className="muted small mono">{a.actionId}</div>
              </td>
              <td data-label="Status">
                <Badge kind="status" value={a.status} />
              </td>
              <td data-label="Risk">
                <Badge kind="risk" value={a.tool?.riskLevel} />
              </td>
              <td data-label="Approval">{a.approval?.decision ? humanize(a.approval.decision) : a.approval?.required ? 'pending' : <span className="muted">—</span>}</td>
              <td data-label="Session" className="mono">
                {a.sessionId ?? <span className="muted">—</span>}
              </td>
              <td data-label="Actor" className="mono">
                {a.actor ? `${a.actor.id}` : <span className="muted">—</span>}
              </td>
              <td data-label="Duration" className="num">
                {formatDuration(a.durationMs)}
              </td>
              <td data-label="Notes">
                {a.error && <span className="note note-error">error: {a.error.message}</span>}
                {a.anomaly && (
                  <span className="note note-anomaly" title={a.anomalies.map((x) => x.description).join('\n')}>
                    anomaly: {a.anomalies.map((x) => humanize(x.code)).join(', ')}
                  </span>
                )}
                {!a.error && !a.anomaly && <span className="muted">—</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
