import { useRef, useState, type FormEvent } from 'react';
import { toProblem, type ApiProblem } from '../api/problem';
import { policyChange, problemsByField, retainForProblem, type PolicyField, type RetentionPolicy, type RetentionView } from '../api/retention';
import { useClient } from '../auth/session-context';
import { ProblemMessage } from '../shared/problem-message';
import { useAnnounce } from '../shell/announcer';

type FieldErrors = Partial<Record<PolicyField | 'form', string>>;

/**
 * The admin's form for `PUT /v1/retention`: sends only what changed; the period is checked when the
 * form is submitted (not on blur: a message appearing then would move the Save button away from the
 * click that caused the blur), the API's 400 is shown by field.
 */
export function PolicyForm({ policy, onSaved }: { policy: RetentionPolicy; onSaved(view: RetentionView): void }) {
  const { client } = useClient();
  const announce = useAnnounce();
  const [retainFor, setRetainFor] = useState(policy.retainFor);
  const [archive, setArchive] = useState(policy.archive);
  const [legalHold, setLegalHold] = useState(policy.legalHold);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<ApiProblem | undefined>(undefined);
  const [status, setStatus] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const periodInput = useRef<HTMLInputElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(undefined);
    setStatus(undefined);
    const local = retainForProblem(retainFor);
    if (local) {
      setErrors({ retainFor: local });
      periodInput.current?.focus();
      return;
    }
    const change = policyChange(policy, { retainFor, archive, legalHold });
    if (!Object.keys(change).length) {
      setErrors({});
      setStatus('Nothing to save: the policy is already so.');
      return;
    }
    setBusy(true);
    try {
      const view = await client.put<RetentionView>('/v1/retention', change);
      setErrors({});
      announce('Retention policy saved');
      onSaved(view);
    } catch (err) {
      const p = toProblem(err);
      if (p.status === 400) {
        const byField = problemsByField(p);
        setErrors(byField);
        if (byField.retainFor) periodInput.current?.focus();
        if (byField.form) setProblem(p);
      } else {
        setProblem(p);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate aria-label="Retention policy">
      <div className="field">
        <label htmlFor="retention-retain-for">Keep events for</label>
        <input
          id="retention-retain-for"
          ref={periodInput}
          className="mono"
          value={retainFor}
          onChange={(e) => {
            setRetainFor(e.target.value);
            if (errors.retainFor) setErrors((x) => ({ ...x, retainFor: undefined }));
          }}
          autoComplete="off"
          spellCheck={false}
          maxLength={64}
          aria-invalid={errors.retainFor ? true : undefined}
          aria-describedby={errors.retainFor ? 'retention-retain-for-error retention-retain-for-hint' : 'retention-retain-for-hint'}
        />
        <span id="retention-retain-for-hint" className="hint">
          An ISO 8601 duration: <code>P90D</code> (90 days), <code>P1Y</code>, <code>P2W</code>, <code>PT12H</code>; from <code>PT1S</code> to <code>P100Y</code>.
        </span>
        {errors.retainFor && (
          <span id="retention-retain-for-error" className="field-error" role="alert">
            {errors.retainFor}
          </span>
        )}
      </div>
      <div className="field check-field">
        <label>
          <input type="checkbox" checked={archive} onChange={(e) => setArchive(e.target.checked)} aria-invalid={errors.archive ? true : undefined} /> Archive events
          before purging them
        </label>
        {errors.archive && (
          <span className="field-error" role="alert">
            {errors.archive}
          </span>
        )}
      </div>
      <div className="field check-field">
        <label>
          <input type="checkbox" checked={legalHold} onChange={(e) => setLegalHold(e.target.checked)} aria-invalid={errors.legalHold ? true : undefined} /> Legal
          hold: purge nothing while it is set
        </label>
        {errors.legalHold && (
          <span className="field-error" role="alert">
            {errors.legalHold}
          </span>
        )}
      </div>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save policy'}
        </button>
      </div>
      {status && (
        <p className="muted" role="status">
          {status}
        </p>
      )}
      {problem && <ProblemMessage problem={problem} title="The policy was not saved" />}
    </form>
  );
}
