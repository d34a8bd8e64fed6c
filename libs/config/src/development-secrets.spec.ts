import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { PUBLISHED_DEVELOPMENT_SECRETS, refuseDevelopmentSecrets } from './development-secrets';
import { ConfigValidationError, loadConfig } from './load-config';

const SECRET_NAME = /KEY|PASSWORD|SECRET|TOKEN/;
const DEFAULTED = /\$\{([A-Z0-9_]+):?-([^}]*)\}/g;

/** Every secret docker-compose.yml publishes: defaults of secret-named variables, their literal values, passwords in URLs. */
function composeSecrets(): string[] {
  const compose = parse(readFileSync(path.resolve(__dirname, '../../../docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { environment?: Record<string, string | number> }>;
  };
  const found = new Set<string>();
  for (const service of Object.values(compose.services)) {
    for (const [name, raw] of Object.entries(service.environment ?? {})) {
      const value = String(raw);
      for (const [, variable, fallback] of value.matchAll(DEFAULTED)) if (SECRET_NAME.test(variable!) && fallback) found.add(fallback);
      const resolved = value.replace(DEFAULTED, (_, _v, fallback: string) => fallback);
      if (SECRET_NAME.test(name) && !value.includes('${')) found.add(resolved);
      try {
        const password = new URL(resolved).password;
        if (password) found.add(decodeURIComponent(password));
      } catch {
        // not a URL
      }
    }
  }
  return [...found];
}

describe('PUBLISHED_DEVELOPMENT_SECRETS', () => {
  it('should list every secret docker-compose.yml publishes when the file is parsed', () => {
    const secrets = composeSecrets();

    expect(secrets).toEqual(expect.arrayContaining(['oY76CLu1bu/gMwUHbaYwEkLjP7abSFl4da6I2ho4G98=', 'postgres']));
    expect(secrets.filter((s) => !PUBLISHED_DEVELOPMENT_SECRETS.includes(s))).toEqual([]);
  });
});

describe(refuseDevelopmentSecrets.name, () => {
  const [rootKey, masterKey, , publicKey] = PUBLISHED_DEVELOPMENT_SECRETS;

  it('should name each variable holding a published secret, in a list item or a URL password, without echoing it', () => {
    const problems = refuseDevelopmentSecrets(
      {
        LEDGER_ROOT_KEY: rootKey,
        LEDGER_SIGNING_PUBLIC_KEY: `AAAA;from=2026-01-01T00:00:00Z,${publicKey};until=2026-02-01T00:00:00Z`,
        DATABASE_URL: 'postgres://agent_ledger_projector:local-dev-app-password@db:5432/agent_ledger',
        REDIS_URL: 'redis://redis:6379',
      },
      ['LEDGER_ROOT_KEY', 'LEDGER_SIGNING_PUBLIC_KEY', 'DATABASE_URL', 'REDIS_URL'],
    );

    expect(problems.map((p) => p.variable)).toEqual(['LEDGER_ROOT_KEY', 'LEDGER_SIGNING_PUBLIC_KEY', 'DATABASE_URL']);
    expect(JSON.stringify(problems)).not.toContain(rootKey);
  });

  it('should name each missing required variable and accept fresh values when given them', () => {
    expect(refuseDevelopmentSecrets({ LEDGER_MASTER_KEY: 'bm90LXB1Ymxpc2hlZA==' }, ['LEDGER_MASTER_KEY'], ['LEDGER_MASTER_KEY', 'LEDGER_SIGNING_KEY'])).toEqual([
      { variable: 'LEDGER_SIGNING_KEY', message: 'LEDGER_SIGNING_KEY is required when NODE_ENV=production' },
    ]);
  });

  it('should refuse through loadConfig only when NODE_ENV=production', () => {
    const schema = z.object({ NODE_ENV: z.string().optional(), LEDGER_MASTER_KEY: z.string().optional(), LEDGER_SIGNING_KEY: z.string().optional() });
    const env = { LEDGER_MASTER_KEY: masterKey };

    expect(loadConfig('svc', schema, env, { requiredInProduction: ['LEDGER_SIGNING_KEY'] })).toEqual(env);
    try {
      loadConfig('svc', schema, { ...env, NODE_ENV: 'production' }, { requiredInProduction: ['LEDGER_SIGNING_KEY'] });
      fail('expected a ConfigValidationError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigValidationError);
      expect((err as ConfigValidationError).problems.map((p) => p.variable).sort()).toEqual(['LEDGER_MASTER_KEY', 'LEDGER_SIGNING_KEY']);
    }
  });
});
