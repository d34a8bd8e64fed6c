import { useMemo, useState, type FormEvent } from 'react';
import { toSearch } from '../api/client';
import { escalationList } from '../api/escalations';
import { useClient } from '../auth/session-context';
import { Badge } from '../shared/badges';
import { formatDateTime } from '../shared/format';
import { PageHeading } from '../shared/page-heading';
import { ProblemMessage } from '../shared/problem-message';
import { ESCALATION_REASONS, ESCALATION_STATUSES, escalationScopeOf, humanize } from '../shared/vocabulary';
import { useAnnounce } from '../shell/announcer';
import { escalationPath, Link, navigate, useLocation } from '../shell/router';
import { useAsync } from '../shell/use-async';

const KEYS = ['status', 'reason', 'sessionId'] as const;
type EscalationFilters = Partial<Record<(typeof KEYS)[number], string>>;

function filtersOf(q: URLSearchParams): EscalationFilters {
  const f: EscalationFilters = {};
  const allowed: Record<string, readonly string[] | undefined> = { status: ESCALATION_STATUSES, reason: ESCALATION_REASONS };
  for (const k of KEYS) {
    const v = q.get(k)?.trim();
    if (v && (!allowed[k] || allowed[k]!.includes(v))) f[k] = v.slice(0, 200);
  }
  return f;
}

export function EscalationsPage() {
  const { client } = useClient();
  const announce = useAnnounce();
  const { query, search } = useLocation();
  const filters = useMemo(() => filtersOf(query), [query]);
  const key = toSearch(filters);
  const [pages, setPages] = useState<{ key: string; cursors: (string | undefined)[] }>({ key, cursors: [undefined] });
  const cursors = pages.key === key ? pages.cursors : [undefined];
  const cursor = cursors[cursors.length - 1];
  const list = useAsync(async (signal) => escalationList(await client.get<unknown>('/v1/escalations', { ...filters, limit: 50, cursor }, signal)), `${key}|${cursor ?? ''}`);

  const apply = (f: EscalationFilters) => {
    navigate(`/escalations${toSearch(f)}`);
    announce('Escalation filters applied');
  };

  return (
    <>
      <PageHeading actions={<button onClick={list.reload}>Refresh</button>}>Escalations</PageHeading>
      <EscalationFiltersForm key={search} filters={filters} onApply={apply} />
      {list.problem && <ProblemMessage problem={list.problem} title="Escalations could not be loaded" onRetry={list.reload} />}
      <section className="panel" aria-labelledby="esc-list-title" aria-busy={list.loading}>
        <h2 id="esc-list-title" className="visually-hidden">
          Escalations list
        </h2>
        {list.data && !list.data.items.length && <p className="empty">No escalations match.</p>}
        {list.data && list.data.items.length > 0 && (
          <div className="table-scroll" role="region" aria-label="Escalations" tabIndex={0}>
            <table className="responsive">
              <thead>
                <tr>
                  <th scope="col">Opened</th>
                  <th scope="col">Escalation</th>
                  <th scope="col">Status</th>
                  <th scope="col">Severity</th>
                  <th scope="col">Session</th>
                  <th scope="col" className="num">
                    Triggers
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((e) => (
                  <tr key={e.id} data-escalation-id={e.id}>
                    <td data-label="Opened">{formatDateTime(e.openedAt)}</td>
                    <td data-label="Escalation">
                      <Link to={escalationPath(e.id)} className="row-link">
                        {e.reason ? humanize(e.reason) : 'escalation'}
                      </Link>
                      {e.summary && <div className="muted small">{e.summary}</div>}
                    </td>
                    <td data-label="Status">
                      <Badge kind="escalation" value={e.status} />
                    </td>
                    <td data-label="Severity">
                      <Badge kind="severity" value={e.severity} />
                    </td>
                    <td data-label="Session" className={escalationScopeOf(e.reason) === 'tenant' ? undefined : 'mono'}>
                      {escalationScopeOf(e.reason) === 'tenant' ? 'whole tenant' : (e.sessionId ?? '—')}
                    </td>
                    <td data-label="Triggers" className="num">
                      {e.count ?? '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <nav className="pager" aria-label="Pages of escalations">
          <button type="button" disabled={cursor === undefined} onClick={() => setPages({ key, cursors: cursors.slice(0, -1) })}>
            ← Newer
          </button>
          <span className="muted small">Page {cursors.length}</span>
          <button type="button" disabled={!list.data?.nextCursor} onClick={() => setPages({ key, cursors: [...cursors, list.data?.nextCursor ?? undefined] })}>
            Older →
          </button>
        </nav>
      </section>
    </>
  );
}

function EscalationFiltersForm({ filters, onApply }: { filters: EscalationFilters; onApply(f: EscalationFilters): void }) {
  const [draft, setDraft] = useState(filters);
  const set = (k: keyof EscalationFilters) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [k]: e.target.value || undefined }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(Object.fromEntries(Object.entries(draft).filter(([, v]) => v)));
  };
  const select = (id: string, label: string, k: keyof EscalationFilters, options: readonly string[]) => (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={draft[k] ?? ''} onChange={set(k)}>
        <option value="">Any</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {humanize(o)}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <form className="panel filters" onSubmit={submit} role="search" aria-label="Filter escalations">
      <div className="filter-grid">
        {select('e-status', 'Status', 'status', ESCALATION_STATUSES)}
        {select('e-reason', 'Reason', 'reason', ESCALATION_REASONS)}
        <div className="field">
          <label htmlFor="e-session">Session ID</label>
          <input id="e-session" type="search" value={draft.sessionId ?? ''} onChange={set('sessionId')} autoComplete="off" />
        </div>
      </div>
      <div className="form-actions">
        <button type="submit" className="primary">
          Apply filters
        </button>
        <button
          type="button"
          onClick={() => {
            setDraft({});
            onApply({});
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}
