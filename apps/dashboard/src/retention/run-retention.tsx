import { useEffect, useRef, useState } from 'react';
import { isAbort, toProblem, type ApiProblem } from '../api/problem';
import { describeRun, isRunOver, type RetentionRun } from '../api/retention';
import { useClient } from '../auth/session-context';
import { ProblemMessage } from '../shared/problem-message';
import { useAnnounce } from '../shell/announcer';

/** How often a started run is asked for its state, and for how long at most. */
const POLL_MS = 500;
const GIVE_UP_MS = 120_000;

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = window.setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        window.clearTimeout(t);
        reject(new DOMException('aborted', 'AbortError'));
      },
      { once: true },
    );
  });

/** "Run retention now": `POST /v1/retention/runs`, then `GET …/runs/:runId` every 500 ms until the run completed or failed. */
export function RunRetention({ onEnded }: { onEnded(): void }) {
  const { client } = useClient();
  const announce = useAnnounce();
  const [run, setRun] = useState<RetentionRun | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [gaveUp, setGaveUp] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | undefined>(undefined);
  const ctrl = useRef<AbortController | undefined>(undefined);

  // Leaving the page stops asking (the run goes on on the server).
  useEffect(() => () => ctrl.current?.abort(), []);

  const start = async () => {
    ctrl.current?.abort();
    const c = new AbortController();
    ctrl.current = c;
    setBusy(true);
    setGaveUp(false);
    setProblem(undefined);
    setRun(undefined);
    try {
      let current = await client.post<RetentionRun>('/v1/retention/runs', {}, c.signal);
      setRun(current);
      const deadline = Date.now() + GIVE_UP_MS;
      while (!isRunOver(current)) {
        if (Date.now() > deadline) {
          setGaveUp(true);
          return;
        }
        await pause(POLL_MS, c.signal);
        current = await client.get<RetentionRun>(`/v1/retention/runs/${encodeURIComponent(current.runId)}`, undefined, c.signal);
        setRun(current);
      }
      announce(describeRun(current));
      onEnded();
    } catch (err) {
      if (!isAbort(err)) setProblem(toProblem(err));
    } finally {
      if (!c.signal.aborted) setBusy(false);
    }
  };

  const over = run && isRunOver(run);
  return (
    <div className="run-retention">
      <p className="hint">Archives and purges what the policy no longer keeps, now, instead of at the next scheduled run.</p>
      <button type="button" onClick={() => void start()} disabled={busy}>
        {busy ? 'Running retention…' : 'Run retention now'}
      </button>
      {run && (
        <p className={run.state === 'failed' ? 'error-text' : over ? 'success' : 'muted'} role="status" data-testid="retention-run" data-state={run.state}>
          {describeRun(run)}
          {gaveUp ? ' It is taking long: it goes on on the server; Refresh shows its purge once it is done.' : ''}
        </p>
      )}
      {problem && <ProblemMessage problem={problem} title="The retention run could not be started or followed" />}
    </div>
  );
}
