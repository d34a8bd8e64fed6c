import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiProblem, toProblem } from '../api/problem';
import { ProblemMessage } from '../shared/problem-message';
import { signIn } from './session';
import { useSession } from './session-context';

export function SignInPage() {
  const { signIn: start } = useSession();
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | undefined>(undefined);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => input.current?.focus(), []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      start(await signIn(key));
    } catch (err) {
      setProblem(toProblem(err));
      input.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in">
      <form className="panel sign-in-form" onSubmit={submit} aria-labelledby="sign-in-title" noValidate>
        <h1 id="sign-in-title">agent-ledger</h1>
        <p>Sign in with a tenant API key with the <code>read</code> or <code>admin</code> scope (personal data is shown only when the key also carries <code>pii</code>). The key stays in this browser tab only and is sent in the request header, never in a link.</p>
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          ref={input}
          type="password"
          name="api-key"
          autoComplete="off"
          spellCheck={false}
          value={key}
          onChange={(e) => setKey(e.target.value)}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? 'sign-in-problem' : 'api-key-hint'}
          placeholder="alk_read_…"
          required
        />
        <p id="api-key-hint" className="hint">
          An <code>admin</code> key can also acknowledge and resolve escalations.
        </p>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Checking the key…' : 'Sign in'}
        </button>
        {problem && (
          <div id="sign-in-problem">
            <ProblemMessage problem={problem} title="Sign-in failed" />
          </div>
        )}
      </form>
    </main>
  );
}
