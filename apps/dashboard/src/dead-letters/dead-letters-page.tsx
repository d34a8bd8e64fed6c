import { useMemo, useState, type FormEvent } from 'react';
import { toSearch } from '../api/client';
import { toProblem, type ApiProblem } from '../api/problem';
import type { DeadLetter, ReplayAnswer } from '../api/types';
import { useClient } from '../auth/session-context';
import { formatDateTime, formatNumber } from '../shared/format';
import { PageHeading } from '../shared/page-heading';
import { ProblemMessage } from '../shared/problem-message';
import { humanize } from '../shared/vocabulary';
import { useAnnounce } from '../shell/announcer';
import { navigate, useLocation } from '../shell/router';
import { useAsync } from '../shell/use-async';

/** Reason codes the ledger gives today; the list shows any other code as it comes. */
const REASON_CODES = ['schema', 'invalid_json', 'empty', 'unstorable', 'unknown_tenant'] as const;

interface LetterFilters {
  replayed?: 'true' | 'false';
  reasonCode?: string;
}

function filtersOf(q: URLSearchParams): LetterFilters {
  const f: LetterFilters = {};
  const replayed = q.get('replayed');
  if (replayed === 'true' || replayed === 'false') f.replayed = replayed;
  const code = q.get('reasonCode');
  if (code && /^[A-Za-z0-9_.-]{1,100}$/.test(code)) f.reasonCode = code;
  return f;
}

/** `/dead-letters?replayed&reasonCode`: what could not be recorded, why and when; replay for admin keys. */
export function DeadLettersPage() {
  const { client, session } = useClient();
  const announce = useAnnounce();
  const { query } = useLocation();
  const filters = useMemo(() => filtersOf(query), [query]);
  const key = toSearch({ ...filters });
  const [pages, setPages] = useState<{ key: string; cursors: (string | undefined)[] }>({ key, cursors: [undefined] });
  const cursors = pages.key === key ? pages.cursors : [undefined];
  const cursor = cursors[cursors.length - 1];
  const list = useAsync((signal) => client.get<{ items: DeadLetter[]; nextCursor: string | null }>('/v1/dead-letters', { ...filters, limit: 50, cursor }, signal), `${key}|${cursor ?? ''}`);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | undefined>(undefined);
  const [result, setResult] = useState<ReplayAnswer | undefined>(undefined);
  const admin = session.role === 'admin';

  const replay = async (body: { ids: string[] } | { all: true }) => {
    setBusy(true);
    setProblem(undefined);
    setResult(undefined);
    try {
      const answer = await client.post<ReplayAnswer>('/v1/dead-letters/replay', body);
      setResult(answer);
      announce(`Replayed ${answer.replayed} dead letter${answer.replayed === 1 ? '' : 's'}`);
      list.reload();
    } catch (err) {
      setProblem(toProblem(err));
    } finally {
      setBusy(false);
    }
  };

  const apply = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    navigate(`/dead-letters${toSearch({ replayed: String(data.get('replayed') ?? ''), reasonCode: String(data.get('reasonCode') ?? '') })}`);
    announce('Dead letter filters applied');
  };

  return (
    <>
      <PageHeading
        actions={
          <>
            {admin && (
              <button type="button" className="primary" disabled={busy} onClick={() => void replay({ all: true })}>
                {busy ? 'Replaying…' : 'Replay all not replayed'}
              </button>
            )}
            <button type="button" onClick={list.reload}>
              Refresh
            </button>
          </>
        }
      >
        Dead letters
      </PageHeading>
      <p className="muted">
        Messages naming this tenant that the ledger could not record, with the reason. After the cause is fixed they can be replayed: each is sent again as it
        was, and an event already recorded is never recorded twice.{' '}
        {!admin && (
          <span id="replay-admin-needed">
            Replaying needs an <code>admin</code> key.
          </span>
        )}
      </p>
      <form className="panel filters" onSubmit={apply} role="search" aria-label="Filter dead letters" key={key}>
        <div className="filter-grid">
          <div className="field">
            <label htmlFor="dl-replayed">Replayed</label>
            <select id="dl-replayed" name="replayed" defaultValue={filters.replayed ?? ''}>
              <option value="">Any</option>
              <option value="false">Not yet</option>
              <option value="true">Replayed</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="dl-reason">Reason</label>
            <select id="dl-reason" name="reasonCode" defaultValue={filters.reasonCode ?? ''}>
              <option value="">Any</option>
              {[...new Set([...REASON_CODES, ...(filters.reasonCode ? [filters.reasonCode] : [])])].map((c) => (
                <option key={c} value={c}>
                  {humanize(c)}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div className="form-actions">
          <button type="submit" className="primary">
            Apply filters
          </button>
        </div>
      </form>
      {problem && <ProblemMessage problem={problem} title="The replay failed" />}
      {result && (
        <div className="notice" role="status" data-testid="replay-result">
          <p className="success">
            Replayed {formatNumber(result.replayed)} dead letter{result.replayed === 1 ? '' : 's'}
            {result.remaining ? `; ${formatNumber(result.remaining)} more to replay` : ''}.
          </p>
          {result.skipped.length > 0 && (
            <ul className="plain-list">
              {result.skipped.map((s) => (
                <li key={s.id}>
                  Skipped {s.id}: {s.reason === 'value_omitted' ? 'the message was too large to keep; only its producer can send it again' : humanize(s.reason)}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {list.problem && <ProblemMessage problem={list.problem} title="Dead letters could not be loaded" onRetry={list.reload} />}
      <section className="panel" aria-labelledby="dl-list-title" aria-busy={list.loading}>
        <h2 id="dl-list-title" className="visually-hidden">
          Dead letters list
        </h2>
        {list.data && !list.data.items.length && <p className="empty">No dead letters match.</p>}
        {list.data && list.data.items.length > 0 && (
          <div className="table-scroll" role="region" aria-label="Dead letters" tabIndex={0}>
            <table className="responsive">
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Event</th>
                  <th scope="col">Replayed</th>
                  {admin && (
                    <th scope="col">
                      <span className="visually-hidden">Replay</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {list.data.items.map((l) => (
                  <tr key={l.id} data-letter-id={l.id} data-event-id={l.eventId ?? ''}>
                    <td data-label="Time">{formatDateTime(l.deadLetteredAt)}</td>
                    <td data-label="Reason">
                      <strong>{humanize(l.reasonCode)}</strong>
                      <div className="muted small reason-text">{l.reason}</div>
                    </td>
                    <td data-label="Event" className="mono">
                      {l.eventId ?? '—'}
                      {l.eventType && <div className="muted small">{l.eventType}</div>}
                    </td>
                    <td data-label="Replayed">{l.replayedAt ? `${formatDateTime(l.replayedAt)}${l.replayCount > 1 ? ` (${l.replayCount}×)` : ''}` : 'not yet'}</td>
                    {admin && (
                      <td data-label="Replay">
                        {l.replayable ? (
                          <button type="button" disabled={busy} onClick={() => void replay({ ids: [l.id] })} aria-label={`Replay dead letter ${l.id}`}>
                            Replay
                          </button>
                        ) : (
                          <span className="muted small">too large to replay</span>
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <nav className="pager" aria-label="Pages of dead letters">
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
