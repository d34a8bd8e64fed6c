import { useMemo, useState } from 'react';
import { escalationList } from '../api/escalations';
import type { Stats } from '../api/types';
import { useClient } from '../auth/session-context';
import { filtersToSearch } from '../actions/action-filters';
import { formatDuration, formatNumber, formatPercent } from '../shared/format';
import { PageHeading } from '../shared/page-heading';
import { ProblemMessage } from '../shared/problem-message';
import { RISK_LEVELS } from '../shared/vocabulary';
import { Badge } from '../shared/badges';
import { DeadLetterNotice } from '../dead-letters/dead-letter-notice';
import { LossPanel } from '../integrity/loss-panel';
import { Link, navigate, useLocation } from '../shell/router';
import { useAsync } from '../shell/use-async';
import { ActivityChart } from './activity-chart';
import { BreakdownPanel, breakdownRows, DurationsPanel, EventsPanel } from './overview-breakdowns';
import { fillSeries } from './chart-geometry';
import { PERIODS, periodOf, windowOf } from './periods';

export function OverviewPage() {
  const { client } = useClient();
  const { query } = useLocation();
  const period = periodOf(query.get('period'));
  const [refreshed, setRefreshed] = useState(() => Date.now());
  const range = useMemo(() => windowOf(period.id, refreshed), [period.id, refreshed]);

  const stats = useAsync((signal) => client.get<Stats>('/v1/stats', range, signal), `${range.from}|${range.to}`);
  const open = useAsync(async (signal) => escalationList(await client.get<unknown>('/v1/escalations', { status: 'open', limit: 100 }, signal)), `open|${refreshed}`);

  const s = stats.data;
  const points = useMemo(() => (s ? fillSeries(s.series, s.window) : []), [s]);
  const failingTools = useMemo(
    () =>
      (s?.byTool ?? [])
        .filter((t) => t.failed > 0)
        .sort((a, b) => b.failed - a.failed || b.failed / b.total - a.failed / a.total)
        .slice(0, 5),
    [s],
  );
  const risks = useMemo(() => {
    const by = s?.byRiskLevel ?? {};
    const keys = [...RISK_LEVELS, ...Object.keys(by).filter((k) => !(RISK_LEVELS as readonly string[]).includes(k))];
    const total = keys.reduce((n, k) => n + (by[k] ?? 0), 0);
    return keys.map((k) => ({ level: k, n: by[k] ?? 0, share: total ? (by[k] ?? 0) / total : 0 }));
  }, [s]);

  const decision = s?.approvals.decisionTime as { n: number; avgMs: number | null; p95Ms: number | null } | undefined;
  const breakdowns = useMemo(() => (s ? breakdownRows(s) : undefined), [s]);
  const inWindow = { from: range.from, to: range.to };
  const openCount = open.data ? `${open.data.items.length}${open.data.nextCursor ? '+' : ''}` : open.problem ? 'n/a' : '…';

  return (
    <>
      <PageHeading
        actions={
          <form className="inline-form" onSubmit={(e) => e.preventDefault()}>
            <label htmlFor="period">Period</label>
            <select id="period" value={period.id} onChange={(e) => navigate(`/?period=${e.target.value}`, { replace: true })}>
              {PERIODS.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.label}
                </option>
              ))}
            </select>
            <button type="button" onClick={() => setRefreshed(Date.now())}>
              Refresh
            </button>
          </form>
        }
      >
        Overview
      </PageHeading>

      {stats.problem && <ProblemMessage problem={stats.problem} title="Statistics could not be loaded" onRetry={stats.reload} />}
      <DeadLetterNotice unreplayed={s?.deadLetters?.unreplayed} />
      <LossPanel refreshed={refreshed} />

      <section aria-labelledby="summary-title" className="cards-section">
        <h2 id="summary-title" className="visually-hidden">
          Summary for {period.label.toLowerCase()}
        </h2>
        <ul className="cards" aria-busy={stats.loading}>
          <Card label="Total actions" value={s ? formatNumber(s.totals.actions) : '…'} to={`/actions${filtersToSearch(inWindow)}`} />
          <Card label="Success rate" value={s ? formatPercent(s.successRate) : '…'} hint="executed of all actions" />
          <Card label="Success of finished" value={s ? formatPercent(s.successRateOfFinished) : '…'} hint="executed of executed + failed" />
          <Card label="Average duration" value={s ? formatDuration(s.duration?.avgMs) : '…'} hint={s?.duration ? `p95 ${formatDuration(s.duration.p95)}, max ${formatDuration(s.duration.maxMs)}` : undefined} />
          <Card label="Approval decision" value={s ? formatDuration(decision?.avgMs) : '…'} hint={decision?.n ? `average of ${formatNumber(decision.n)}; p95 ${formatDuration(decision.p95Ms)}` : 'no timed decisions'} />
          <Card label="Failed" value={s ? formatNumber(s.totals.byStatus.failed ?? 0) : '…'} tone="bad" to={`/actions${filtersToSearch({ ...inWindow, status: 'failed' })}`} />
          <Card label="Cancelled" value={s ? formatNumber(s.totals.byStatus.cancelled ?? 0) : '…'} to={`/actions${filtersToSearch({ ...inWindow, status: 'cancelled' })}`} />
          <Card
            label="Open escalations"
            value={openCount}
            tone={open.data?.items.length ? 'warn' : undefined}
            to="/escalations?status=open"
            hint={open.problem ? `not available: ${open.problem.message}` : 'now, whatever the period'}
          />
        </ul>
      </section>

      <div className="grid-2">
        <section className="panel wide" aria-label="Activity">
          {s ? <ActivityChart points={points} bucket={s.window.bucket} /> : <p className="muted">{stats.loading ? 'Loading…' : 'No data.'}</p>}
        </section>

        <section className="panel" aria-labelledby="failing-title">
          <h2 id="failing-title">Top failing tools</h2>
          {s && !failingTools.length && <p className="muted">No failed actions in this period.</p>}
          {failingTools.length > 0 && (
            <table className="compact">
              <thead>
                <tr>
                  <th scope="col">Tool</th>
                  <th scope="col" className="num">
                    Failed
                  </th>
                  <th scope="col" className="num">
                    Of
                  </th>
                  <th scope="col" className="num">
                    Rate
                  </th>
                </tr>
              </thead>
              <tbody>
                {failingTools.map((t) => (
                  <tr key={t.tool ?? '(none)'}>
                    <td>{t.tool ? <Link to={`/actions${filtersToSearch({ ...inWindow, tool: t.tool, status: 'failed' })}`}>{t.tool}</Link> : <span className="muted">(no tool)</span>}</td>
                    <td className="num">{formatNumber(t.failed)}</td>
                    <td className="num">{formatNumber(t.total)}</td>
                    <td className="num">{formatPercent(t.total ? t.failed / t.total : null)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>

        <section className="panel" aria-labelledby="risk-title">
          <h2 id="risk-title">Risk distribution</h2>
          {s && (
            <table className="compact risk-table">
              <thead>
                <tr>
                  <th scope="col">Risk level</th>
                  <th scope="col" className="num">
                    Actions
                  </th>
                  <th scope="col">
                    <span className="visually-hidden">Share</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {risks.map((r) => (
                  <tr key={r.level}>
                    <td>{r.level === 'none' ? <span className="muted">not given</span> : <Badge kind="risk" value={r.level} />}</td>
                    <td className="num">{formatNumber(r.n)}</td>
                    <td>
                      <div className="bar-cell">
                        <span className={`hbar hbar-${r.level}`} style={{ width: `${Math.round(r.share * 100)}%` }} />
                        <span className="muted small">{formatPercent(r.share)}</span>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>

      {s && breakdowns && (
        <div className="grid-2">
          <DurationsPanel stats={s} />
          <EventsPanel stats={s} />
          <BreakdownPanel id="providers" title="By provider" rows={breakdowns.provider} />
          <BreakdownPanel id="agents" title="By agent" rows={breakdowns.agent} />
          <BreakdownPanel id="actors" title="By actor" rows={breakdowns.actor} />
        </div>
      )}
    </>
  );
}

function Card({ label, value, hint, to, tone }: { label: string; value: string; hint?: string; to?: string; tone?: 'bad' | 'warn' }) {
  return (
    <li className={`card${tone ? ` card-${tone}` : ''}`}>
      <span className="card-label">{label}</span>
      <span className="card-value" data-testid={`card-${label.toLowerCase().replace(/\s+/g, '-')}`}>
        {to ? <Link to={to}>{value}</Link> : value}
      </span>
      {hint && <span className="card-hint">{hint}</span>}
    </li>
  );
}
