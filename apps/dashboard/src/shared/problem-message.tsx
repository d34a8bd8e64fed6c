import { adviceFor, type ApiProblem } from '../api/problem';
import { formatDateTime } from './format';

/** An API error as a person reads it: what the API said, its code and field, and what to do. */
export function ProblemMessage({ problem, title = 'The request failed', onRetry }: { problem: ApiProblem; title?: string; onRetry?: () => void }) {
  const advice = adviceFor(problem);
  return (
    <div className="problem" role="alert">
      <p className="problem-title">
        <strong>{title}</strong>
        {problem.status ? ` (HTTP ${problem.status})` : ''}
      </p>
      <p>
        {capitalize(problem.message)}
        {problem.field ? ` — field “${problem.field}”` : ''} <code className="problem-code">{problem.code}</code>
      </p>
      {problem.errors.length > 1 && (
        <ul>
          {problem.errors.map((e, i) => (
            <li key={i}>
              <code>{e.field || '(body)'}</code>: {e.message}
            </li>
          ))}
        </ul>
      )}
      {problem.horizon && (
        <p>
          The record is kept from {formatDateTime(problem.horizon)} on.
          {problem.archives && (problem.archives.length ? ' Older events are in:' : ' Older events were purged without an archive.')}
        </p>
      )}
      {problem.horizon && !!problem.archives?.length && (
        <ul>
          {problem.archives.map((a) => (
            <li key={a} className="mono">
              {a}
            </li>
          ))}
        </ul>
      )}
      {advice && <p className="problem-advice">{advice}</p>}
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

const capitalize = (s: string) => (s ? s[0].toUpperCase() + s.slice(1) : s);
