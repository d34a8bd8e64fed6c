import type { SessionSummary } from '../api/types';
import { useClient } from '../auth/session-context';
import { Fact } from '../shared/fact';
import { formatDateTime, formatDuration } from '../shared/format';
import { ProblemMessage } from '../shared/problem-message';
import { SessionEscalations } from '../shared/session-escalations';
import { humanize } from '../shared/vocabulary';
import { useAsync } from '../shell/use-async';

const counts = (by: Record<string, number> | undefined) =>
  Object.entries(by ?? {})
    .map(([k, n]) => `${n} ${humanize(k)}`)
    .join(', ') || '—';

/** What one session did, shown when the actions are filtered by session (GET /v1/sessions/:id/summary). */
export function SessionSummaryPanel({ sessionId }: { sessionId: string }) {
  const { client } = useClient();
  const summary = useAsync((signal) => client.get<SessionSummary>(`/v1/sessions/${encodeURIComponent(sessionId)}/summary`, undefined, signal), sessionId);
  if (summary.problem?.code === 'session_not_found') return null;
  const s = summary.data;
  return (
    <section className="panel" aria-labelledby="session-summary-title">
      <h2 id="session-summary-title">
        Session <span className="mono">{sessionId}</span>
      </h2>
      {summary.problem && <ProblemMessage problem={summary.problem} title="The session summary could not be loaded" onRetry={summary.reload} />}
      {s && (
        <dl className="facts facts-2">
          <Fact term="Actions">{`${s.actions} (${s.events} events)`}</Fact>
          <Fact term="By status">{counts(s.byStatus)}</Fact>
          <Fact term="By risk">{counts(s.byRiskLevel)}</Fact>
          <Fact term="Approvals">{counts(s.byApprovalDecision)}</Fact>
          <Fact term="Total execution time">{formatDuration(s.totalDurationMs)}</Fact>
          <Fact term="Active">{`${formatDateTime(s.firstEventAt)} – ${formatDateTime(s.lastEventAt)}`}</Fact>
          {s.anomalies > 0 && <Fact term="Anomalies">{s.anomalies}</Fact>}
          <Fact term="Escalations">
            <SessionEscalations counts={s.escalations} />
          </Fact>
        </dl>
      )}
    </section>
  );
}
