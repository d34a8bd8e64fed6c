import { useClient } from '../auth/session-context';
import { formatDateTime, formatNumber } from '../shared/format';
import { ProblemMessage } from '../shared/problem-message';
import { useAsync } from '../shell/use-async';
import { describeRange, openLossOf } from './loss';

/**
 * On the overview: the open gaps in the tenant's producers' sequence numbers (GET
 * /v1/integrity/loss), newest first: events an SDK producer stamped that never reached the ledger.
 * Nothing when none is open; events without a producer stamp are not accounted.
 */
export function LossPanel({ refreshed }: { refreshed: number }) {
  const { client } = useClient();
  const loss = useAsync(async (signal) => openLossOf(await client.get<unknown>('/v1/integrity/loss', { state: 'open', limit: 20 }, signal)), `loss|${refreshed}`);

  if (loss.problem) return <ProblemMessage problem={loss.problem} title="Missing events could not be loaded" onRetry={loss.reload} />;
  const l = loss.data;
  if (!l || l.openGaps === 0) return null;
  return (
    <section className="panel" aria-labelledby="loss-title" data-testid="loss-panel">
      <h2 id="loss-title">Missing events</h2>
      <p>
        <strong>
          {formatNumber(l.missingEvents)} event{l.missingEvents === 1 ? '' : 's'} missing in {formatNumber(l.openGaps)} gap{l.openGaps === 1 ? '' : 's'}
        </strong>{' '}
        of producers&rsquo; sequence numbers: stamped events that have not reached the ledger.
      </p>
      <table className="compact" data-testid="loss-table">
        <thead>
          <tr>
            <th scope="col">Producer</th>
            <th scope="col">Missing numbers</th>
            <th scope="col" className="num">
              Events
            </th>
            <th scope="col">Open since</th>
            <th scope="col">Escalated</th>
          </tr>
        </thead>
        <tbody>
          {l.gaps.map((g) => (
            <tr key={g.id}>
              <td>
                <code>{g.producerId}</code>
              </td>
              <td>{describeRange(g)}</td>
              <td className="num">{formatNumber(g.missingEvents)}</td>
              <td>{formatDateTime(g.openedAt)}</td>
              <td>{g.escalatedAt ? formatDateTime(g.escalatedAt) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {l.more && <p className="muted">Newest 20 shown; GET /v1/integrity/loss lists them all.</p>}
    </section>
  );
}
