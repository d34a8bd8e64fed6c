import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Action, ActionDetail, Page, Stats, StoredEvent } from '../api/types';
import { useClient } from '../auth/session-context';
import { formatDateTime } from '../shared/format';
import { PageHeading } from '../shared/page-heading';
import { ProblemMessage } from '../shared/problem-message';
import { humanize } from '../shared/vocabulary';
import { useAnnounce } from '../shell/announcer';
import { navigate, useLocation } from '../shell/router';
import { useAsync } from '../shell/use-async';
import { describeFilters, filtersFromSearch, filtersToQuery, filtersToSearch, listQuery, mergeActions, type ActionFilters } from './action-filters';
import { ActionsTable } from './actions-table';
import { ExportButtons } from './export-buttons';
import { FiltersForm } from './filters-form';
import { SessionSummaryPanel } from './session-summary';
import { useLiveEvents, type LiveStatus } from './use-live-events';

const PAGE_SIZE = 25;
const MAX_FETCH_PER_BATCH = 20;

/** The actions list's last query string, so "back to actions" from a detail keeps the filters. */
export const lastActions = { search: '' };

export function ActionsPage() {
  const { client } = useClient();
  const announce = useAnnounce();
  const { search, query } = useLocation();
  const filters = useMemo(() => filtersFromSearch(query), [query]);
  const filterKey = filtersToSearch(filters);

  // Cursor pagination: a stack of the cursors of the pages above this one.
  const [pages, setPages] = useState<{ key: string; cursors: (string | undefined)[] }>({ key: filterKey, cursors: [undefined] });
  const cursors = pages.key === filterKey ? pages.cursors : [undefined];
  const cursor = cursors[cursors.length - 1];
  const firstPage = cursor === undefined;

  const slowest = filters.sort === 'duration_desc';
  const list = useAsync((signal) => client.get<Page<Action>>('/v1/actions', { ...listQuery(filters), limit: PAGE_SIZE, cursor }, signal), `${filterKey}|${cursor ?? ''}`);
  const tools = useAsync(async (signal) => {
    const s = await client.get<Stats>('/v1/stats', { from: new Date(Date.now() - 30 * 86_400_000).toISOString(), to: new Date().toISOString(), bucket: 'day' }, signal);
    return s.byTool.map((t) => t.tool).filter((t): t is string => !!t);
  }, 'tools');

  // Live rows: the loaded page with streamed actions merged in (reset when a new page loads).
  const [live, setLive] = useState<{ base: Page<Action> | undefined; rows: Action[]; fresh: Set<string> }>({ base: undefined, rows: [], fresh: new Set() });
  const rows = live.base === list.data ? live.rows : (list.data?.items ?? []);
  const fresh = live.base === list.data ? live.fresh : new Set<string>();
  const current = useRef({ data: list.data, filters });
  const liveState = useRef(live);
  useEffect(() => {
    current.current = { data: list.data, filters };
    liveState.current = live;
    lastActions.search = filterKey;
  }, [list.data, filters, live, filterKey]);
  const [recent, setRecent] = useState<StoredEvent[]>([]);

  const [liveOn, setLiveOn] = useState(true);
  const onEvents = useCallback(
    async (events: StoredEvent[]) => {
      setRecent((r) => [...events.slice().reverse(), ...r].slice(0, 8));
      const ids = [...new Set(events.map((e) => e.event.actionId).filter((id): id is string => typeof id === 'string'))].slice(0, MAX_FETCH_PER_BATCH);
      if (!ids.length) {
        announce(`${events.length} new event${events.length > 1 ? 's' : ''}: ${events.map((e) => humanize(String(e.event.type ?? 'event'))).join(', ')}`);
        return;
      }
      const settled = await Promise.allSettled(ids.map((id) => client.get<ActionDetail>(`/v1/actions/${encodeURIComponent(id)}`)));
      const actions = settled.filter((r): r is PromiseFulfilledResult<ActionDetail> => r.status === 'fulfilled').map((r) => stripTimeline(r.value));
      if (!actions.length) return;
      const { data, filters: f } = current.current;
      const prev = liveState.current;
      const base = prev.base === data ? prev.rows : (data?.items ?? []);
      const { list: merged, added } = mergeActions(base, actions, f);
      const nextFresh = new Set(prev.base === data ? prev.fresh : []);
      for (const a of actions) nextFresh.add(a.actionId);
      liveState.current = { base: data, rows: merged, fresh: nextFresh };
      setLive(liveState.current);
      const names = actions.map((a) => `${a.tool?.name ?? 'action'} ${a.status}`).join(', ');
      announce(added.length ? `${added.length} new action${added.length > 1 ? 's' : ''}: ${names}` : `Updated: ${names}`);
    },
    [client, announce],
  );
  // Live rows go on top: that fits the newest-first order only.
  const liveShown = liveOn && firstPage && !slowest;
  const stream = useLiveEvents(client, filtersToQuery(filters), liveShown, onEvents);

  const apply = (f: ActionFilters) => {
    navigate(`/actions${filtersToSearch(f)}`);
    announce(`Filters applied: ${describeFilters(f)}`);
  };

  return (
    <>
      <PageHeading
        actions={
          <>
            <LiveToggle on={liveOn} status={firstPage && !slowest ? stream.status : 'off'} onToggle={() => setLiveOn((v) => !v)} />
            <ExportButtons client={client} query={filtersToQuery(filters)} label={describeFilters(filters)} />
          </>
        }
      >
        Actions
      </PageHeading>

      <FiltersForm key={search} filters={filters} tools={tools.data ?? []} onApply={apply} />

      {stream.problem && liveShown && <ProblemMessage problem={stream.problem} title={stream.status === 'stopped' ? 'Live updates stopped' : 'Live updates interrupted (reconnecting)'} />}
      {!firstPage && liveOn && !slowest && <p className="muted small">Live updates show on the first page only.</p>}
      {slowest && <p className="muted small">Slowest first: actions without a duration are not listed; live updates show in the newest-first order only.</p>}

      {list.problem && <ProblemMessage problem={list.problem} title="Actions could not be loaded" onRetry={list.reload} />}

      {filters.sessionId && <SessionSummaryPanel key={filters.sessionId} sessionId={filters.sessionId} />}

      <section className="panel" aria-labelledby="actions-list-title" aria-busy={list.loading}>
        <h2 id="actions-list-title" className="visually-hidden">
          Actions list
        </h2>
        {list.data && !rows.length && <p className="empty">No actions match {describeFilters(filters)}.</p>}
        {rows.length > 0 && <ActionsTable actions={rows} highlighted={fresh} />}
        {list.loading && !list.data && <p className="muted">Loading actions…</p>}
        <nav className="pager" aria-label="Pages of actions">
          <button type="button" disabled={firstPage} onClick={() => setPages({ key: filterKey, cursors: cursors.slice(0, -1) })}>
            {slowest ? '← Slower' : '← Newer'}
          </button>
          <span className="muted small">Page {cursors.length}</span>
          <button type="button" disabled={!list.data?.nextCursor} onClick={() => setPages({ key: filterKey, cursors: [...cursors, list.data?.nextCursor ?? undefined] })}>
            {slowest ? 'Faster →' : 'Older →'}
          </button>
        </nav>
      </section>

      {liveShown && recent.length > 0 && (
        <section className="panel" aria-labelledby="recent-title">
          <h2 id="recent-title">Just recorded</h2>
          <ol className="recent" data-testid="live-events">
            {recent.map((e) => (
              <li key={e.eventId}>
                <time dateTime={e.recordedAt ?? undefined}>{formatDateTime(e.recordedAt)}</time> <strong>{String(e.event.type ?? 'event')}</strong>
                {e.event.tool?.name ? ` · ${e.event.tool.name}` : ''}
                {e.event.sessionId ? ` · session ${e.event.sessionId}` : ''}
              </li>
            ))}
          </ol>
        </section>
      )}
    </>
  );
}

function stripTimeline(d: ActionDetail): Action {
  const { timeline: _timeline, ...action } = d;
  return action;
}

const LIVE_TEXT: Record<LiveStatus, string> = { off: 'paused', connecting: 'connecting…', live: 'on', reconnecting: 'reconnecting…', stopped: 'stopped' };

function LiveToggle({ on, status, onToggle }: { on: boolean; status: LiveStatus; onToggle(): void }) {
  return (
    <div className="live">
      <button type="button" aria-pressed={on} onClick={onToggle} className={`live-toggle live-${on ? status : 'off'}`}>
        <span className="dot" aria-hidden="true" /> Live updates
      </button>
      <span className="small" data-testid="live-status" data-status={on ? status : 'off'}>
        {on ? LIVE_TEXT[status] : 'paused'}
      </span>
    </div>
  );
}
