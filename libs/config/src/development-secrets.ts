/**
 * Secrets published in this repository for local development (docker-compose.yml's defaults and
 * the passwords in its connection URLs). Anyone can read them, so a service started with
 * NODE_ENV=production refuses every one of them (docs/keys.md). `development-secrets.spec.ts` parses
 * docker-compose.yml and fails when it publishes a secret missing here; a value once published stays
 * in this list even after it left the file.
 */
export const PUBLISHED_DEVELOPMENT_SECRETS: readonly string[] = [
  // LEDGER_ROOT_KEY
  'local-dev-root-key-5kQmXOzuc9K8cRnxe9BINXngpSasWuyE',
  // LEDGER_MASTER_KEY
  'oY76CLu1bu/gMwUHbaYwEkLjP7abSFl4da6I2ho4G98=',
  // LEDGER_SIGNING_KEY (Ed25519, PKCS#8 DER)
  'MC4CAQAwBQYDK2VwBCIEIIHJiA4wyk7tlT7bAynvYI8hiVXE1HW9bhNJ6EFvEjTk',
  // LEDGER_SIGNING_PUBLIC_KEY: its private key above is published, so a checkpoint signed by it proves nothing.
  'MCowBQYDK2VwAyEAfQ9I0RGKql6p4uZLP3G2PcjHMnDbaeuHB2BLZQnHpKw=',
  // Database passwords: the owner's (DATABASE_URL), agent_ledger_app's (TENANT_DATABASE_PASSWORD) and
  // each service role's (<SERVICE>_DATABASE_PASSWORD).
  'postgres',
  'local-dev-app-password',
  'local-dev-ingest-password',
  'local-dev-projector-password',
  'local-dev-worker-password',
  'local-dev-notifier-password',
  'local-dev-api-password',
  'local-dev-retention-password',
  // KAFKA_SASL_PASSWORD of the local broker's SASL user (scripts/stack.sh, .stack/env).
  'local-dev-kafka-password',
];

export interface ConfigProblem {
  variable: string;
  message: string;
}

const published = new Set(PUBLISHED_DEVELOPMENT_SECRETS);

/** The parts of a value that may be a secret: the value, each comma-separated item without its `;…` parameters, a URL's password. */
function secretCandidates(value: string): string[] {
  const items = value.split(',').map((item) => item.split(';')[0]!.trim());
  const candidates = [value.trim(), ...items];
  try {
    const url = new URL(value.trim());
    if (url.password) candidates.push(decodeURIComponent(url.password));
  } catch {
    // not a URL
  }
  return candidates;
}

/**
 * Production's refusal of published and missing secrets: each variable the service reads
 * (`variables`) whose value (or a list item, or a URL's password) is a published development
 * secret, and each `required` variable that is unset, is named. Values are never echoed.
 */
export function refuseDevelopmentSecrets(
  env: Readonly<Record<string, string | undefined>>,
  variables: readonly string[],
  required: readonly string[] = [],
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const variable of required) {
    if (!env[variable]) problems.push({ variable, message: `${variable} is required when NODE_ENV=production` });
  }
  for (const variable of variables) {
    const value = env[variable];
    if (!value || !secretCandidates(value).some((c) => published.has(c))) continue;
    problems.push({
      variable,
      message: 'is a development secret published in docker-compose.yml and refused when NODE_ENV=production: generate your own (npm run keys -- generate)',
    });
  }
  return problems;
}
