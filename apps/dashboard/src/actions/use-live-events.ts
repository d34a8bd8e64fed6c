import { useEffect, useRef, useState } from 'react';
import type { LedgerClient, Query } from '../api/client';
import { ApiProblem, isAbort, toProblem } from '../api/problem';
import { SseParser } from '../api/sse';
import type { StoredEvent } from '../api/types';

export type LiveStatus = 'off' | 'connecting' | 'live' | 'reconnecting' | 'stopped';

const FLUSH_MS = 250;
const MAX_BACKOFF_MS = 15_000;

/** Problems a reconnect cannot fix: the key or the filters are refused. */
const permanent = (p: ApiProblem) => p.status === 400 || p.status === 401 || p.status === 403 || p.status === 404;

/**
 * Follows GET /v1/stream with the given filters while `enabled`: events are handed over in small
 * batches; a dropped stream is reopened with `since` = the last event's recording time (duplicates
 * of that replay are dropped by event id), with a growing pause. A refused key or filter stops it.
 */
export function useLiveEvents(client: LedgerClient, query: Query, enabled: boolean, onEvents: (events: StoredEvent[]) => void): { status: LiveStatus; problem: ApiProblem | undefined } {
  const [state, setState] = useState<{ status: LiveStatus; problem?: ApiProblem }>({ status: 'off' });
  const handler = useRef(onEvents);
  useEffect(() => {
    handler.current = onEvents;
  }, [onEvents]);
  const key = JSON.stringify(query);

  useEffect(() => {
    if (!enabled) {
      const t = window.setTimeout(() => setState({ status: 'off' }), 0);
      return () => window.clearTimeout(t);
    }
    const ctrl = new AbortController();
    const seen = new Set<string>();
    let since: string | undefined;
    let pending: StoredEvent[] = [];
    let flushTimer: number | undefined;
    let attempt = 0;
    const filter = JSON.parse(key) as Query;

    const flush = () => {
      flushTimer = undefined;
      const batch = pending;
      pending = [];
      if (batch.length && !ctrl.signal.aborted) handler.current(batch);
    };

    const run = async () => {
      while (!ctrl.signal.aborted) {
        setState((s) => ({ status: attempt === 0 ? 'connecting' : 'reconnecting', problem: s.problem }));
        const parser = new SseParser();
        try {
          await client.stream(
            '/v1/stream',
            { ...filter, since },
            {
              onOpen: () => {
                attempt = 0;
                setState({ status: 'live' });
              },
              onMessage: (m) => {
                if (m.event === 'ledger-event') {
                  let e: StoredEvent;
                  try {
                    e = JSON.parse(m.data) as StoredEvent;
                  } catch {
                    return;
                  }
                  if (!e?.eventId || seen.has(e.eventId)) return;
                  seen.add(e.eventId);
                  if (seen.size > 5_000) seen.delete(seen.values().next().value as string);
                  if (e.recordedAt && (!since || e.recordedAt > since)) since = e.recordedAt;
                  pending.push(e);
                  flushTimer ??= window.setTimeout(flush, FLUSH_MS);
                } else if (m.event === 'error') {
                  let message = 'the stream reported an error';
                  try {
                    message = (JSON.parse(m.data) as { message?: string }).message ?? message;
                  } catch {
                    /* keep the generic message */
                  }
                  setState({ status: 'reconnecting', problem: new ApiProblem({ status: 0, code: 'stream_failed', message }) });
                }
              },
            },
            ctrl.signal,
            parser,
          );
        } catch (err) {
          if (isAbort(err) || ctrl.signal.aborted) return;
          const p = toProblem(err);
          if (p instanceof ApiProblem && permanent(p)) {
            setState({ status: 'stopped', problem: p });
            return;
          }
          setState({ status: 'reconnecting', problem: p });
        }
        if (ctrl.signal.aborted) return;
        attempt++;
        const wait = Math.min(MAX_BACKOFF_MS, (parser.retryMs ?? 2_000) * 2 ** Math.min(attempt - 1, 3));
        await new Promise<void>((resolve) => {
          const t = window.setTimeout(resolve, wait);
          ctrl.signal.addEventListener('abort', () => {
            window.clearTimeout(t);
            resolve();
          });
        });
      }
    };
    void run();
    return () => {
      ctrl.abort();
      window.clearTimeout(flushTimer);
    };
  }, [client, key, enabled]);

  return { status: state.status, problem: state.problem };
}
