import type { BreakdownCounts, Stats } from '../api/types';
import { formatDuration, formatNumber, formatPercent } from '../shared/format';

const TOP = 8;

function Num({ children }: { children: string }) {
  return <td className="num">{children}</td>;
}

/** Durations per tool (average, min, max, p95), slowest p95 first, and the line over every tool. */
export function DurationsPanel({ stats }: { stats: Stats }) {
  const rows = [...stats.durations].sort((a, b) => (b.p95 ?? 0) - (a.p95 ?? 0)).slice(0, TOP);
  const all = stats.duration;
  return (
    <section className="panel" aria-labelledby="durations-title">
      <h2 id="durations-title">Durations per tool</h2>
      {!rows.length && <p className="muted">No durations reported in this period.</p>}
      {rows.length > 0 && (
        <table className="compact" data-testid="durations-table">
          <thead>
            <tr>
              <th scope="col">Tool</th>
              {['Actions', 'Average', 'Min', 'Max', 'p95'].map((h) => (
                <th key={h} scope="col" className="num">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((d) => (
              <tr key={d.tool ?? '(none)'}>
                <td>{d.tool ?? <span className="muted">(no tool)</span>}</td>
                <Num>{formatNumber(d.n)}</Num>
                <Num>{formatDuration(d.avgMs)}</Num>
                <Num>{formatDuration(d.minMs)}</Num>
                <Num>{formatDuration(d.maxMs)}</Num>
                <Num>{formatDuration(d.p95)}</Num>
              </tr>
            ))}
          </tbody>
          {all && (
            <tfoot>
              <tr>
                <th scope="row">All tools</th>
                <Num>{formatNumber(all.n)}</Num>
                <Num>{formatDuration(all.avgMs)}</Num>
                <Num>{formatDuration(all.minMs)}</Num>
                <Num>{formatDuration(all.maxMs)}</Num>
                <Num>{formatDuration(all.p95)}</Num>
              </tr>
            </tfoot>
          )}
        </table>
      )}
    </section>
  );
}

/** One breakdown (by provider, agent or actor): the largest rows with their failure rate. */
export function BreakdownPanel({ id, title, rows }: { id: string; title: string; rows: { key: string; label: string; counts: BreakdownCounts }[] }) {
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {!rows.length && <p className="muted">No actions in this period.</p>}
      {rows.length > 0 && (
        <table className="compact" data-testid={`${id}-table`}>
          <thead>
            <tr>
              <th scope="col">{title.replace(/^By /, '')}</th>
              {['Actions', 'Failed', 'Rate', 'Average'].map((h) => (
                <th key={h} scope="col" className="num">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.slice(0, TOP).map((r) => (
              <tr key={r.key}>
                <td>{r.label}</td>
                <Num>{formatNumber(r.counts.total)}</Num>
                <Num>{formatNumber(r.counts.failed)}</Num>
                <Num>{formatPercent(r.counts.total ? r.counts.failed / r.counts.total : null)}</Num>
                <Num>{formatDuration(r.counts.avgDurationMs)}</Num>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The rows of the provider, agent and actor breakdowns. */
export function breakdownRows(stats: Stats) {
  const none = '(not given)';
  return {
    provider: (stats.byProvider ?? []).map((r) => ({ key: r.provider ?? '', label: r.provider ?? none, counts: r })),
    agent: (stats.byAgent ?? []).map((r) => ({ key: r.agentId ?? '', label: r.agentId ? `${r.agentName ?? r.agentId} (${r.agentId})` : none, counts: r })),
    actor: (stats.byActor ?? []).map((r) => ({ key: `${r.actorType}:${r.actorId}`, label: r.actorId ? `${r.actorType}:${r.actorId}` : none, counts: r })),
  };
}

/** Signals by type and every event type counted in the window. */
export function EventsPanel({ stats }: { stats: Stats }) {
  const signals = Object.entries(stats.signals ?? {});
  const types = Object.entries(stats.eventsByType ?? {}).sort((a, b) => b[1] - a[1]);
  return (
    <section className="panel" aria-labelledby="events-title">
      <h2 id="events-title">Signals and events</h2>
      <table className="compact" data-testid="signals-table">
        <tbody>
          {signals.map(([type, n]) => (
            <tr key={type}>
              <td>{type.replace(/^signal\./, '').replace(/_/g, ' ')}</td>
              <Num>{formatNumber(n)}</Num>
            </tr>
          ))}
        </tbody>
      </table>
      <details>
        <summary>Events by type ({formatNumber(stats.totals.events ?? types.reduce((n, [, v]) => n + v, 0))})</summary>
        <table className="compact" data-testid="event-types-table">
          <tbody>
            {types.map(([type, n]) => (
              <tr key={type}>
                <td>{type}</td>
                <Num>{formatNumber(n)}</Num>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}
