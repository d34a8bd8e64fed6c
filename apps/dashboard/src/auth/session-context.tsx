import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { LedgerClient } from '../api/client';
import type { ApiProblem } from '../api/problem';
import { clearSession, loadSession, saveSession, type Session } from './session';

interface SessionState {
  session: Session | undefined;
  client: LedgerClient | undefined;
  /** The last answer that refused the key itself (401): shown once, app-wide. */
  keyRefused: ApiProblem | undefined;
  signIn(s: Session): void;
  signOut(): void;
}

const SessionContext = createContext<SessionState | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | undefined>(() => loadSession());
  const [keyRefused, setKeyRefused] = useState<ApiProblem | undefined>(undefined);

  const client = useMemo(
    () =>
      session
        ? new LedgerClient(session.key, (p) => {
            if (p.status === 401) setKeyRefused(p);
          })
        : undefined,
    [session],
  );

  const signIn = useCallback((s: Session) => {
    saveSession(s);
    setKeyRefused(undefined);
    setSession(s);
  }, []);

  const signOut = useCallback(() => {
    clearSession();
    setKeyRefused(undefined);
    setSession(undefined);
  }, []);

  const value = useMemo(() => ({ session, client, keyRefused, signIn, signOut }), [session, client, keyRefused, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The signed-in client: only rendered inside the signed-in part of the app. */
export function useClient(): { client: LedgerClient; session: Session } {
  const { client, session } = useSession();
  if (!client || !session) throw new Error('not signed in');
  return { client, session };
}
