import { useState, type FormEvent } from 'react';
import { isoToLocalInput, localInputToIso } from '../shared/format';
import { ACTION_ANOMALY_CODES, ACTION_STATUSES, APPROVAL_DECISIONS, RISK_LEVELS, humanize } from '../shared/vocabulary';
import { clean, describeFilters, isFiltered, type ActionFilters } from './action-filters';

/** Text filters taken as typed (exact values, except the free-text search). */
const TEXT_FIELDS: { key: keyof ActionFilters; id: string; label: string }[] = [
  { key: 'provider', id: 'f-provider', label: 'Provider' },
  { key: 'sessionId', id: 'f-session', label: 'Session ID' },
  { key: 'actorId', id: 'f-actor', label: 'Actor ID' },
  { key: 'subjectId', id: 'f-subject', label: 'Subject ID' },
  { key: 'taskId', id: 'f-task', label: 'Task ID' },
  { key: 'planId', id: 'f-plan', label: 'Plan ID' },
  { key: 'approvalId', id: 'f-approval-id', label: 'Approval ID' },
];

/** The filters as a form: applied on submit (Enter in any field), so typing does not fire requests. */
export function FiltersForm({ filters, tools, onApply }: { filters: ActionFilters; tools: string[]; onApply(f: ActionFilters): void }) {
  const [draft, setDraft] = useState(() => ({ ...filters, from: isoToLocalInput(filters.from), to: isoToLocalInput(filters.to) }));
  const [open] = useState(() => typeof window === 'undefined' || window.matchMedia?.('(min-width: 720px)').matches !== false);
  const set = (k: keyof ActionFilters) => (e: { target: { value: string } }) => setDraft((d) => ({ ...d, [k]: e.target.value || undefined }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(clean({ ...draft, from: draft.from ? localInputToIso(draft.from) : undefined, to: draft.to ? localInputToIso(draft.to) : undefined } as ActionFilters));
  };
  const reset = () => {
    setDraft({ from: '', to: '' });
    onApply({});
  };

  return (
    <details className="panel filters" open={open}>
      <summary>
        Filters <span className="muted">({describeFilters(filters)})</span>
      </summary>
      <form onSubmit={submit} aria-label="Filter actions" role="search">
        <div className="filter-grid">
          <div className="field">
            <label htmlFor="f-q">Search</label>
            <input
              id="f-q"
              type="search"
              value={draft.q ?? ''}
              onChange={set('q')}
              maxLength={200}
              autoComplete="off"
              aria-describedby="f-q-hint"
              placeholder="tool, agent, error message"
            />
            <span id="f-q-hint" className="visually-hidden">
              Case-insensitive text in the tool name, agent id or name, or error message
            </span>
          </div>
          <div className="field">
            <label htmlFor="f-tool">Tool</label>
            <input id="f-tool" list="f-tool-names" value={draft.tool ?? ''} onChange={set('tool')} autoComplete="off" />
            <datalist id="f-tool-names">
              {tools.map((t) => (
                <option key={t} value={t} />
              ))}
            </datalist>
          </div>
          <Select id="f-status" label="Status" value={draft.status} options={ACTION_STATUSES} onChange={set('status')} />
          <Select id="f-risk" label="Risk level" value={draft.riskLevel} options={RISK_LEVELS} onChange={set('riskLevel')} />
          <Select id="f-approval" label="Approval" value={draft.approvalDecision} options={APPROVAL_DECISIONS} onChange={set('approvalDecision')} />
          <Select id="f-anomaly" label="Anomaly" value={draft.anomalyCode} options={ACTION_ANOMALY_CODES} onChange={set('anomalyCode')} />
          {TEXT_FIELDS.map(({ key, id, label }) => (
            <div className="field" key={key}>
              <label htmlFor={id}>{label}</label>
              <input id={id} type="search" value={(draft[key] as string | undefined) ?? ''} onChange={set(key)} maxLength={200} autoComplete="off" spellCheck={false} />
            </div>
          ))}
          <div className="field">
            <label htmlFor="f-from">From</label>
            <input id="f-from" type="datetime-local" value={draft.from ?? ''} onChange={set('from')} />
          </div>
          <div className="field">
            <label htmlFor="f-to">Until</label>
            <input id="f-to" type="datetime-local" value={draft.to ?? ''} onChange={set('to')} />
          </div>
          <div className="field">
            <label htmlFor="f-sort">Order</label>
            <select id="f-sort" value={draft.sort ?? ''} onChange={set('sort')}>
              <option value="">Newest first</option>
              <option value="duration_desc">Slowest first (with a duration)</option>
            </select>
          </div>
        </div>
        <div className="form-actions">
          <button type="submit" className="primary">
            Apply filters
          </button>
          <button type="button" onClick={reset} disabled={!isFiltered(filters) && !Object.values(draft).some(Boolean)}>
            Clear
          </button>
        </div>
      </form>
    </details>
  );
}

function Select({ id, label, value, options, onChange }: { id: string; label: string; value: string | undefined; options: readonly string[]; onChange(e: { target: { value: string } }): void }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value ?? ''} onChange={onChange}>
        <option value="">Any</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {humanize(o)}
          </option>
        ))}
      </select>
    </div>
  );
}
