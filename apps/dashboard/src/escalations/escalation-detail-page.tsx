import { useEffect, useState, type FormEvent } from 'react';
import { deliveryList, normalizeEscalation, type Delivery, type Escalation } from '../api/escalations';
import { toProblem, type ApiProblem } from '../api/problem';
import { useClient } from '../auth/session-context';
import { Badge } from '../shared/badges';
import { Fact } from '../shared/fact';
import { formatDateTime, formatDuration } from '../shared/format';
import { PageHeading } from '../shared/page-heading';
import { ProblemMessage } from '../shared/problem-message';
import { escalationScopeOf, humanize } from '../shared/vocabulary';
import { filtersToSearch } from '../actions/action-filters';
import { useAnnounce } from '../shell/announcer';
import { actionPath, Link } from '../shell/router';
import { useAsync } from '../shell/use-async';

export function EscalationDetailPage({ id }: { id: string }) {
  const { client, session } = useClient();
  const path = `/v1/escalations/${encodeURIComponent(id)}`;
  const detail = useAsync(async (signal) => {
    const e = normalizeEscalation(await client.get<unknown>(path, undefined, signal));
    if (!e) throw new Error('the answer does not describe an escalation');
    return e;
  }, id);
  const deliveries = useAsync(async (signal) => deliveryList(await client.get<unknown>('/v1/deliveries', { escalationId: id, limit: 100 }, signal)), `d|${id}`);
  const e = detail.data;
  const refresh = () => {
    detail.reload();
    deliveries.reload();
  };

  // Acknowledge and resolve are accepted (202) and recorded a moment later through the ledger:
  // look again until the escalation shows the new status.
  const announce = useAnnounce();
  const [awaiting, setAwaiting] = useState<{ status: string; tries: number } | undefined>(undefined);
  const { reload } = detail;
  useEffect(() => {
    if (!awaiting || !e || detail.loading) return;
    if (e.status === awaiting.status) {
      const t = window.setTimeout(() => {
        setAwaiting(undefined);
        announce(`The escalation is now ${awaiting.status}`);
      }, 0);
      return () => window.clearTimeout(t);
    }
    if (awaiting.tries >= 30) return;
    const t = window.setTimeout(() => {
      setAwaiting({ ...awaiting, tries: awaiting.tries + 1 });
      reload();
    }, 700);
    return () => window.clearTimeout(t);
  }, [awaiting, e, detail.loading, reload, announce]);

  return (
    <>
      <p className="breadcrumb">
        <Link to="/escalations">← Escalations</Link>
      </p>
      <PageHeading actions={<button onClick={refresh}>Refresh</button>}>
        {e ? (
          <>
            {e.reason ? humanize(e.reason) : 'Escalation'} <Badge kind="escalation" value={e.status} />
          </>
        ) : (
          'Escalation'
        )}
      </PageHeading>
      {detail.problem && <ProblemMessage problem={detail.problem} title="The escalation could not be loaded" onRetry={detail.reload} />}
      {e && (
        <div className="detail-grid">
          <section className="panel" aria-labelledby="esc-facts-title">
            <h2 id="esc-facts-title">Summary</h2>
            <dl className="facts">
              <Fact term="Escalation ID" mono>
                {e.id}
              </Fact>
              <Fact term="Status">
                <Badge kind="escalation" value={e.status} />
              </Fact>
              <Fact term="Severity">
                <Badge kind="severity" value={e.severity} />
              </Fact>
              <Fact term="Reason">{e.reason ? humanize(e.reason) : '—'}</Fact>
              <Fact term="Session" mono>
                {escalationScopeOf(e.reason) === 'tenant' ? (
                  `whole tenant (${e.sessionId})`
                ) : e.sessionId ? (
                  <Link to={`/actions${filtersToSearch({ sessionId: e.sessionId })}`}>{e.sessionId}</Link>
                ) : (
                  '—'
                )}
              </Fact>
              {e.actionId && (
                <Fact term="Action" mono>
                  <Link to={actionPath(e.actionId)}>{e.actionId}</Link>
                </Fact>
              )}
              <Fact term="Opened">{formatDateTime(e.openedAt)}</Fact>
              {e.lastSeenAt && <Fact term="Last trigger">{formatDateTime(e.lastSeenAt)}</Fact>}
              <Fact term="Triggers">{e.count ?? '—'}</Fact>
              {e.acknowledgedAt && (
                <Fact term="Acknowledged">
                  {formatDateTime(e.acknowledgedAt)}
                  {e.acknowledgedBy ? ` by ${e.acknowledgedBy}` : ''}
                  {e.acknowledgeNote ? ` — “${e.acknowledgeNote}”` : ''}
                </Fact>
              )}
              {e.resolvedAt && (
                <Fact term="Resolved">
                  {formatDateTime(e.resolvedAt)}
                  {e.resolvedBy ? ` by ${e.resolvedBy}` : ''}
                  {e.resolveNotes ? ` — “${e.resolveNotes}”` : ''}
                </Fact>
              )}
            </dl>
            {e.summary && <p>{e.summary}</p>}
            {e.customerMessage && (
              <p>
                <span className="muted">Message to the customer:</span> “{e.customerMessage}”
              </p>
            )}
            {e.history.length > 0 && (
              <>
                <h3>History</h3>
                <ol className="timeline compact-timeline">
                  {e.history.map((h, i) => (
                    <li key={i}>
                      <strong>{h.type}</strong> <span className="muted">{formatDateTime(h.at)}</span>
                      {h.by ? ` by ${h.by}` : ''}
                      {h.note ? ` — “${h.note}”` : ''}
                    </li>
                  ))}
                </ol>
              </>
            )}
          </section>
          <HandleEscalation
            escalation={e}
            admin={session.role === 'admin'}
            path={path}
            recording={awaiting?.status}
            onDone={(status) => {
              setAwaiting({ status, tries: 0 });
              deliveries.reload();
            }}
          />
        </div>
      )}
      <section className="panel" aria-labelledby="deliveries-title">
        <h2 id="deliveries-title">Notifications sent</h2>
        {deliveries.problem && <ProblemMessage problem={deliveries.problem} title="Deliveries could not be loaded" onRetry={deliveries.reload} />}
        {deliveries.data && !deliveries.data.items.length && <p className="empty">No notification was sent for this escalation.</p>}
        {deliveries.data?.items.map((d) => <DeliveryItem key={d.id} d={d} />)}
      </section>
    </>
  );
}

function HandleEscalation({ escalation, admin, path, recording, onDone }: { escalation: Escalation; admin: boolean; path: string; recording: string | undefined; onDone(status: string): void }) {
  const { client } = useClient();
  const announce = useAnnounce();
  const [by, setBy] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const [problem, setProblem] = useState<ApiProblem | undefined>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);
  const canAck = escalation.status === 'open' && !recording;
  const canResolve = escalation.status !== 'resolved' && recording !== 'resolved';

  const act = async (what: 'acknowledge' | 'resolve') => {
    setBusy(what);
    setProblem(undefined);
    setDone(undefined);
    const body = what === 'acknowledge' ? { ...(by.trim() ? { acknowledgedBy: by.trim() } : {}), ...(note.trim() ? { note: note.trim() } : {}) } : { ...(by.trim() ? { resolvedBy: by.trim() } : {}), notes: note.trim() };
    try {
      await client.post(`${path}/${what}`, body);
      const text = what === 'acknowledge' ? 'Acknowledgement sent' : 'Resolution sent';
      setDone(text);
      setNote('');
      announce(text);
      onDone(what === 'acknowledge' ? 'acknowledged' : 'resolved');
    } catch (err) {
      setProblem(toProblem(err));
    } finally {
      setBusy(undefined);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (canAck) void act('acknowledge');
  };

  return (
    <section className="panel" aria-labelledby="handle-title">
      <h2 id="handle-title">Handle</h2>
      {!admin && (
        <p className="notice" id="admin-needed">
          Acknowledging and resolving need an <code>admin</code> key; this session signed in with a <code>read</code> key.
        </p>
      )}
      {escalation.status === 'resolved' ? (
        <p>This escalation is resolved. A new trigger opens a new escalation.</p>
      ) : (
        <form onSubmit={submit} aria-describedby={admin ? undefined : 'admin-needed'}>
          <div className="field">
            <label htmlFor="h-by">Handled by (optional)</label>
            <input id="h-by" value={by} onChange={(e) => setBy(e.target.value)} autoComplete="name" disabled={!admin} maxLength={200} />
          </div>
          <div className="field">
            <label htmlFor="h-note">Notes</label>
            <textarea id="h-note" value={note} onChange={(e) => setNote(e.target.value)} rows={3} disabled={!admin} maxLength={4000} aria-describedby="h-note-hint" />
            <span id="h-note-hint" className="hint">
              Optional when acknowledging; required to resolve.
            </span>
          </div>
          <div className="form-actions">
            <button type="submit" className="primary" disabled={!admin || !canAck || !!busy}>
              {busy === 'acknowledge' ? 'Acknowledging…' : 'Acknowledge'}
            </button>
            <button type="button" disabled={!admin || !canResolve || !!busy || !note.trim()} onClick={() => void act('resolve')}>
              {busy === 'resolve' ? 'Resolving…' : 'Resolve'}
            </button>
          </div>
        </form>
      )}
      {done && (
        <p className="success" role="status" data-testid="handle-status">
          {done}
          {recording ? '; waiting for it to be recorded…' : ' and recorded.'}
        </p>
      )}
      {problem && <ProblemMessage problem={problem} title="The change was refused" />}
    </section>
  );
}

function DeliveryItem({ d }: { d: Delivery }) {
  return (
    <article className="delivery" aria-label={`${d.channel} to ${d.target}`}>
      <p>
        <strong>{d.channel}</strong> to <span className="mono">{d.target || '—'}</span> <Badge kind="delivery" value={d.status} />{' '}
        <span className="muted small">
          {d.eventType ?? ''} · {d.attemptCount} attempt{d.attemptCount === 1 ? '' : 's'}
          {d.deliveredAt ? ` · delivered ${formatDateTime(d.deliveredAt)}` : ''}
          {d.nextAttemptAt ? ` · next attempt ${formatDateTime(d.nextAttemptAt)}` : ''}
        </span>
      </p>
      {d.attempts.length > 0 && (
        <div className="table-scroll" role="region" aria-label={`Attempts of ${d.channel} delivery to ${d.target}`} tabIndex={0}>
          <table className="compact">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Started</th>
                <th scope="col">Outcome</th>
                <th scope="col" className="num">
                  Status
                </th>
                <th scope="col" className="num">
                  Took
                </th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {d.attempts.map((a) => (
                <tr key={a.attempt}>
                  <td>{a.attempt}</td>
                  <td>{formatDateTime(a.startedAt)}</td>
                  <td>{humanize(a.outcome)}</td>
                  <td className="num">{a.statusCode ?? '—'}</td>
                  <td className="num">{formatDuration(a.durationMs)}</td>
                  <td>{a.error ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </article>
  );
}

