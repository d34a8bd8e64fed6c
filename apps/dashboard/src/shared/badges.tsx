import { humanize } from './vocabulary';

/** A status, risk or severity as text with a colour: the colour is never the only signal. */
export function Badge({ kind, value }: { kind: 'status' | 'risk' | 'severity' | 'escalation' | 'delivery'; value: string | null | undefined }) {
  if (!value) return <span className="muted">—</span>;
  return <span className={`badge badge-${kind}-${value.replace(/[^a-z0-9_-]/gi, '')}`}>{humanize(value)}</span>;
}
