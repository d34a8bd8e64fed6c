import { useCallback, useEffect, useState } from 'react';
import { isAbort, toProblem, type ApiProblem } from '../api/problem';

export interface AsyncState<T> {
  data: T | undefined;
  problem: ApiProblem | undefined;
  loading: boolean;
  reload(): void;
}

/**
 * Runs `load` when `key` changes (and on reload()), aborting the previous run; the newest answer
 * wins. `key` names everything the load depends on.
 */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, key: string): AsyncState<T> {
  const [state, setState] = useState<{ data?: T; problem?: ApiProblem; loading: boolean; key?: string }>({ loading: true });
  const [run, setRun] = useState(0);
  const reload = useCallback(() => setRun((n) => n + 1), []);

  useEffect(() => {
    const ctrl = new AbortController();
    let live = true;
    Promise.resolve()
      .then(() => {
        if (live) setState((s) => ({ ...s, loading: true }));
        return load(ctrl.signal);
      })
      .then(
        (data) => live && setState({ data, loading: false, key }),
        (err: unknown) => live && !isAbort(err) && setState((s) => ({ data: s.key === key ? s.data : undefined, problem: toProblem(err), loading: false, key })),
      );
    return () => {
      live = false;
      ctrl.abort();
    };
    // `key` stands for the inputs of `load`, which is a new closure on every render.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, run]);

  return { data: state.data, problem: state.problem, loading: state.loading, reload };
}
