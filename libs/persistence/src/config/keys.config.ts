import { base64Key, databaseUrl, loadConfig, previousMasterKeys } from '@agent-ledger/config';
import { z } from 'zod';

/** `npm run keys -- rewrap | status`: the owner's connection and the master keyring. */
export const rewrapEnvSchema = z.object({
  /** The migration owner's connection (the runtime roles cannot update every wrap). */
  DATABASE_URL: databaseUrl,
  LEDGER_MASTER_KEY: base64Key(32),
  LEDGER_PREVIOUS_MASTER_KEYS: previousMasterKeys,
});
export const loadRewrapConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig('keys rewrap', rewrapEnvSchema, env);

export const statusEnvSchema = z.object({ DATABASE_URL: databaseUrl });
export const loadStatusConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig('keys status', statusEnvSchema, env);

/** The current values rotations start from (read, never validated beyond presence: the output replaces them). */
export function readRotationEnv(env: NodeJS.ProcessEnv = process.env) {
  const value = (name: string) => env[name]?.trim() || undefined;
  return {
    masterKey: value('LEDGER_MASTER_KEY'),
    previousMasterKeys: value('LEDGER_PREVIOUS_MASTER_KEYS'),
    signingKey: value('LEDGER_SIGNING_KEY'),
    signingPublicKeys: value('LEDGER_SIGNING_PUBLIC_KEY'),
  };
}
