import { useCallback, useEffect, useState } from 'react';
import { isAbort, toProblem, type ApiProblem } from '../api/problem';
import type { VerifyResult } from '../api/types';
import { useClient } from '../auth/session-context';
import { formatDateTime } from '../shared/format';
import { describeVerification, verdictOf } from './verification';

type State = { phase: 'running' } | { phase: 'done'; result: VerifyResult; at: string } | { phase: 'error'; problem: ApiProblem };

/**
 * Runs GET /v1/integrity/verify when the session starts and on demand: recomputes the tenant's hash
 * chains and checks them against the signed checkpoints. Three verdicts look different: verified
 * (every row signed), not yet verified (rows after the newest checkpoint, with their count and the
 * checkpoint's age; never shown as success) and FAILED (the first bad position).
 */
export function IntegrityBadge() {
  const { client } = useClient();
  const [state, setState] = useState<State>({ phase: 'running' });
  const [run, setRun] = useState(0);

  useEffect(() => {
    const ctrl = new AbortController();
    client.get<VerifyResult>('/v1/integrity/verify', undefined, ctrl.signal).then(
      (result) => setState({ phase: 'done', result, at: new Date().toISOString() }),
      (err: unknown) => !isAbort(err) && setState({ phase: 'error', problem: toProblem(err) }),
    );
    return () => ctrl.abort();
  }, [client, run]);

  const again = useCallback(() => {
    setState({ phase: 'running' });
    setRun((n) => n + 1);
  }, []);

  const verdict = state.phase === 'done' ? verdictOf(state.result) : undefined;
  const tone = verdict === 'ok' ? 'ok' : verdict === 'unverified' ? 'unverified' : verdict === 'failed' ? 'bad' : state.phase === 'error' ? 'warn' : 'busy';
  const title = {
    busy: 'Integrity: verifying…',
    warn: 'Integrity: not checked',
    ok: 'Integrity verified',
    unverified: 'Integrity not yet verified',
    bad: 'Integrity check FAILED',
  }[tone];
  const detail =
    state.phase === 'running'
      ? 'Recomputing the hash chains'
      : state.phase === 'error'
        ? state.problem.message
        : `${describeVerification(state.result)} (checked ${formatDateTime(state.at)})`;

  return (
    <div className={`integrity integrity-${tone}`} data-testid="integrity-badge" data-state={tone}>
      <span role="status" aria-live="polite" className="integrity-text">
        <span className="integrity-icon" aria-hidden="true">
          {{ ok: '✔', unverified: '?', bad: '✖', warn: '!', busy: '…' }[tone]}
        </span>
        <strong>{title}</strong>
        <span className="integrity-detail">{detail}</span>
      </span>
      <button type="button" className="link-button" onClick={again} disabled={state.phase === 'running'}>
        Verify again
      </button>
    </div>
  );
}
