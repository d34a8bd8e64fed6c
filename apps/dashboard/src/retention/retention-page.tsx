import { useState } from 'react';
import type { RetentionPurge, RetentionView } from '../api/retention';
import { shortSha } from '../api/retention';
import { useClient } from '../auth/session-context';
import { Fact } from '../shared/fact';
import { formatDateTime, formatNumber } from '../shared/format';
import { PageHeading } from '../shared/page-heading';
import { ProblemMessage } from '../shared/problem-message';
import { humanize } from '../shared/vocabulary';
import { useAsync } from '../shell/use-async';
import { PolicyForm } from './policy-form';
import { RunRetention } from './run-retention';

/** `/retention`: how long the record is kept, the retention horizon, the newest purges; an admin changes the policy and runs it. */
export function RetentionPage() {
  const { client, session } = useClient();
  const admin = session.role === 'admin';
  // GET /v1/retention needs the admin scope: a read key is told so instead of being answered 403.
  const view = useAsync((signal) => (admin ? client.get<RetentionView>('/v1/retention', undefined, signal) : Promise.resolve(undefined)), admin ? 'admin' : 'read');
  const data = view.data;
  const p = data?.policy;
  const [saved, setSaved] = useState<string | undefined>(undefined);
  const onSaved = () => {
    setSaved(`Policy saved at ${formatDateTime(new Date().toISOString())}.`);
    view.reload();
  };

  return (
    <>
      <PageHeading actions={admin && <button onClick={view.reload}>Refresh</button>}>Retention</PageHeading>
      <p className="muted">
        Events older than the retention period are archived (gzip JSON lines with a signed manifest), then purged; a <code>retention.purged</code> record in the ledger
        names the archive, so the record still verifies after a purge. A legal hold stops every purge while it is set.
      </p>
      {!admin && (
        <p className="notice" id="retention-admin-needed">
          The retention policy and its purges are shown to an <code>admin</code> key only; this session signed in with a <code>read</code> key.
        </p>
      )}
      {view.problem && <ProblemMessage problem={view.problem} title="The retention policy could not be loaded" onRetry={view.reload} />}
      {p && data && (
        <div className="detail-grid">
          <section className="panel" aria-labelledby="retention-policy-title" aria-busy={view.loading}>
            <h2 id="retention-policy-title">Policy</h2>
            <dl className="facts" data-testid="retention-policy">
              <Fact term="Keep events for">
                <span className="mono">{p.retainFor}</span>
                {p.default ? <span className="muted"> (the default)</span> : null}
              </Fact>
              <Fact term="Archive before purging">{p.archive ? 'Yes' : 'No — purged events are not archived'}</Fact>
              <Fact term="Legal hold">{p.legalHold ? <strong>On — nothing is purged</strong> : 'Off'}</Fact>
              <Fact term="Last changed">{p.updatedAt ? formatDateTime(p.updatedAt) : 'Never (the default policy)'}</Fact>
              <Fact term="Retention horizon">
                {data.horizon ? (
                  <>
                    {formatDateTime(data.horizon)} <span className="muted small">(events before it were purged)</span>
                  </>
                ) : (
                  'None — nothing has been purged yet'
                )}
              </Fact>
            </dl>
          </section>
          <section className="panel" aria-labelledby="retention-change-title">
            <h2 id="retention-change-title">Change</h2>
            {saved && (
              <p className="success" role="status" data-testid="retention-saved">
                {saved}
              </p>
            )}
            <PolicyForm key={`${p.updatedAt}|${p.retainFor}|${p.archive}|${p.legalHold}`} policy={p} onSaved={onSaved} />
            <h3>Run now</h3>
            <RunRetention onEnded={view.reload} />
          </section>
        </div>
      )}
      {data && (
        <section className="panel" aria-labelledby="retention-purges-title">
          <h2 id="retention-purges-title">Recent purges</h2>
          {!data.purges.length ? <p className="empty">No purge yet.</p> : <PurgesTable purges={data.purges} />}
        </section>
      )}
    </>
  );
}

function PurgesTable({ purges }: { purges: RetentionPurge[] }) {
  return (
    <div className="table-scroll" role="region" aria-label="Recent purges" tabIndex={0}>
      <table className="responsive">
        <thead>
          <tr>
            <th scope="col">Started</th>
            <th scope="col">State</th>
            <th scope="col" className="num">
              Events
            </th>
            <th scope="col">Recorded</th>
            <th scope="col">Purged</th>
            <th scope="col">Archive</th>
            <th scope="col">SHA-256</th>
          </tr>
        </thead>
        <tbody>
          {purges.map((u) => (
            <tr key={u.purgeId} data-purge-id={u.purgeId}>
              <td data-label="Started">
                <div>
                  {formatDateTime(u.createdAt)}
                  <div className="muted small">#{u.ordinal}</div>
                </div>
              </td>
              <td data-label="State">{humanize(u.state)}</td>
              <td data-label="Events" className="num">
                {formatNumber(u.events)}
              </td>
              <td data-label="Recorded">{u.recordedFrom || u.recordedTo ? `${formatDateTime(u.recordedFrom)} – ${formatDateTime(u.recordedTo)}` : '—'}</td>
              <td data-label="Purged">{formatDateTime(u.purgedAt)}</td>
              <td data-label="Archive" className="mono">
                {u.archive ? (
                  <div>
                    {u.archive.object}
                    <div className="muted small">{u.archive.location}</div>
                  </div>
                ) : (
                  <span className="muted">{u.state === 'planned' ? 'not written yet' : 'not archived'}</span>
                )}
              </td>
              <td data-label="SHA-256" className="mono nowrap" title={u.archive?.sha256}>
                {shortSha(u.archive?.sha256)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
