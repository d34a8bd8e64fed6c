import type { ActionDetail, TimelineEntry } from '../api/types';
import { useClient } from '../auth/session-context';
import { Badge } from '../shared/badges';
import { Fact } from '../shared/fact';
import { between, formatDateTime, formatDuration } from '../shared/format';
import { PageHeading } from '../shared/page-heading';
import { ProblemMessage } from '../shared/problem-message';
import { SessionEscalations } from '../shared/session-escalations';
import { humanize } from '../shared/vocabulary';
import { Link } from '../shell/router';
import { useAsync } from '../shell/use-async';
import { filtersToSearch } from './action-filters';
import { lastActions } from './actions-page';

export function ActionDetailPage({ id }: { id: string }) {
  const { client } = useClient();
  const detail = useAsync((signal) => client.get<ActionDetail>(`/v1/actions/${encodeURIComponent(id)}`, undefined, signal), id);
  const a = detail.data;

  return (
    <>
      <p className="breadcrumb">
        <Link to={`/actions${lastActions.search}`}>← Actions</Link>
      </p>
      <PageHeading actions={<button onClick={detail.reload}>Refresh</button>}>
        {a ? (
          <>
            {a.tool?.name ?? 'Action'} <Badge kind="status" value={a.status} />
          </>
        ) : (
          `Action ${id}`
        )}
      </PageHeading>
      {detail.problem && <ProblemMessage problem={detail.problem} title={`Action ${id} could not be loaded`} onRetry={detail.reload} />}
      {detail.loading && !a && <p className="muted">Loading…</p>}
      {a && (
        <div className="detail-grid">
          <section className="panel" aria-labelledby="facts-title">
            <h2 id="facts-title">Summary</h2>
            <dl className="facts">
              <Fact term="Action ID" mono>
                {a.actionId}
              </Fact>
              <Fact term="Tool">
                {a.tool ? (
                  <>
                    {a.tool.name}
                    {a.tool.provider ? <span className="muted"> via {a.tool.provider}</span> : null} <Badge kind="risk" value={a.tool.riskLevel} />
                  </>
                ) : (
                  '—'
                )}
              </Fact>
              <Fact term="Session" mono>
                {a.sessionId ? <Link to={`/actions${filtersToSearch({ sessionId: a.sessionId })}`}>{a.sessionId}</Link> : '—'}
              </Fact>
              <Fact term="Agent">{a.agent ? `${a.agent.name ?? a.agent.id} (${a.agent.id})` : '—'}</Fact>
              <Fact term="Actor">{a.actor ? `${a.actor.id}${a.actor.type ? ` (${a.actor.type})` : ''}` : '—'}</Fact>
              {a.subjectId && <Fact term="Data subject">{a.subjectId}</Fact>}
              {a.taskId && (
                <Fact term="Task" mono>
                  <Link to={`/actions${filtersToSearch({ taskId: a.taskId })}`}>{a.taskId}</Link>
                </Fact>
              )}
              {a.plan && (
                <Fact term="Plan" mono>
                  <Link to={`/actions${filtersToSearch({ planId: a.plan.planId })}`}>{a.plan.planId}</Link>
                  {a.plan.stepId ? `, step ${a.plan.stepId}` : ''}
                </Fact>
              )}
              <Fact term="Approval">
                {a.approval ? (
                  <>
                    {a.approval.required ? 'required' : 'not required'}
                    {a.approval.decision ? `, ${humanize(a.approval.decision)}` : a.approval.required ? ', no decision yet' : ''}
                    {a.approval.approvedBy ? ` by ${a.approval.approvedBy}` : ''}
                    {a.approval.decisionMs != null ? ` in ${formatDuration(a.approval.decisionMs)}` : ''}
                    {a.approval.approvalId ? (
                      <>
                        {' '}
                        (<Link to={`/actions${filtersToSearch({ approvalId: a.approval.approvalId })}`}>{a.approval.approvalId}</Link>)
                      </>
                    ) : null}
                  </>
                ) : (
                  '—'
                )}
              </Fact>
              <Fact term="Started">{formatDateTime(a.stages.attemptedAt ?? a.firstEventAt)}</Fact>
              <Fact term="Execution time">{formatDuration(a.durationMs)}</Fact>
              <Fact term="Waited for approval">{formatDuration(between(a.stages.attemptedAt, a.stages.confirmedAt))}</Fact>
              <Fact term="Attempt to outcome">{formatDuration(between(a.stages.attemptedAt, a.stages.executedAt ?? a.stages.failedAt ?? a.stages.cancelledAt))}</Fact>
              <Fact term="Events">{a.eventCount}</Fact>
              {a.sessionEscalations && (
                <Fact term="Session escalations">
                  <SessionEscalations counts={a.sessionEscalations} />
                </Fact>
              )}
            </dl>
            {a.error && (
              <div className="error-box" role="note" aria-label="Error">
                <strong>Error{a.error.code ? ` ${a.error.code}` : ''}:</strong> {a.error.message}
              </div>
            )}
            {a.anomaly && (
              <div className="anomaly-box" role="note" aria-label="Anomaly">
                <strong>{a.anomalies.length > 1 ? 'Anomalies' : 'Anomaly'}:</strong>
                <ul className="anomaly-list" data-testid="anomalies">
                  {a.anomalies.map((x) => (
                    <li key={x.code}>
                      <code>{x.code}</code> — {x.description}
                    </li>
                  ))}
                </ul>
              </div>
            )}
          </section>

          <section className="panel" aria-labelledby="timeline-title">
            <h2 id="timeline-title">Timeline</h2>
            <ol className="timeline" data-testid="timeline">
              {a.timeline.map((e) => (
                <TimelineItem key={e.eventId} e={e} />
              ))}
            </ol>
          </section>
        </div>
      )}
    </>
  );
}


function TimelineItem({ e }: { e: TimelineEntry }) {
  const lag = between(e.occurredAt, e.recordedAt);
  return (
    <li className={`timeline-item type-${e.type.replace(/\./g, '-')}`}>
      <div className="timeline-head">
        <strong>{e.type}</strong>{' '}
        <time dateTime={e.occurredAt ?? undefined} className="muted">
          {formatDateTime(e.occurredAt)}
        </time>
      </div>
      <ul className="timeline-facts">
        {e.approval?.decision && (
          <li>
            Approval: {humanize(e.approval.decision)}
            {e.approval.approvedBy ? ` by ${e.approval.approvedBy}` : ''}
            {e.approval.method ? ` (${e.approval.method})` : ''}
            {typeof e.approval.decisionMs === 'number' ? `, decided in ${formatDuration(e.approval.decisionMs)}` : ''}
          </li>
        )}
        {e.approval?.required && !e.approval.decision && <li>Approval required</li>}
        {e.durationMs !== null && e.durationMs !== undefined && <li>Duration: {formatDuration(e.durationMs)}</li>}
        {e.error && (
          <li className="error-text">
            Error{e.error.code ? ` ${e.error.code}` : ''}: {e.error.message ?? '(no message)'}
          </li>
        )}
        {e.redacted.length > 0 && (
          <li className="redacted" data-testid="redaction-marker">
            <span aria-hidden="true">▮ </span>
            {e.redacted.length} value{e.redacted.length > 1 ? 's' : ''} redacted at ingest: <code>{e.redacted.join(', ')}</code>
          </li>
        )}
        <li className="muted small">
          Recorded {formatDateTime(e.recordedAt)}
          {lag !== null && lag >= 0 ? ` (${formatDuration(lag)} after it occurred)` : ''}
        </li>
      </ul>
      <details>
        <summary>Event JSON</summary>
        <pre className="json">{JSON.stringify(e.event, null, 2)}</pre>
      </details>
    </li>
  );
}
