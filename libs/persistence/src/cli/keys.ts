/*
 * Key management (docs/keys.md): `npm run keys -- <command>` = `node dist/libs/persistence/src/cli/keys.js <command>`.
 *   generate                      a fresh set of every secret (env lines)
 *   rotate-signing [--grace 1d]   a new signing key and the trusted-key list (env lines)
 *   rotate-master                 a new master key and LEDGER_PREVIOUS_MASTER_KEYS (env lines)
 *   rewrap [--batch-size 500]     re-wraps every subject key and webhook secret under LEDGER_MASTER_KEY
 *   status                        wraps per master key and format, per column
 */
import { ConfigValidationError } from '@agent-ledger/config';
import {
  generateSecrets,
  MasterKeyring,
  parseDurationMs,
  PiiCipher,
  rotateMasterKey,
  rotateSigningKey,
  webhookSecretWrapper,
} from '@agent-ledger/integrity';
import { loadRewrapConfig, loadStatusConfig, readRotationEnv } from '../config/keys.config';
import { createLedgerDataSource } from '../data-source';
import { rewrapSubjectKeys, rewrapWebhookSecrets, wrapCensus, type RewrapCounts } from '../keys/key-rewrap';

class UsageError extends Error {}

const out = (line = '') => process.stdout.write(`${line}\n`);
const note = (line: string) => process.stderr.write(`${line}\n`);

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (!value || value.startsWith('--')) throw new UsageError(`${name} needs a value`);
  return value;
}

async function withDatabase<T>(url: string, work: (ds: ReturnType<typeof createLedgerDataSource>) => Promise<T>): Promise<T> {
  const ds = createLedgerDataSource({ url, poolSize: 1, applicationName: 'agent-ledger-keys' });
  await ds.initialize();
  try {
    return await work(ds);
  } finally {
    await ds.destroy();
  }
}

const describeCounts = (what: string, c: RewrapCounts) =>
  `${what}: ${c.rewrapped} rewrapped, ${c.alreadyCurrent} already current, ${c.changedMeanwhile} changed meanwhile, ${c.failed.length} failed`;

async function rewrap(args: string[]): Promise<number> {
  const cfg = loadRewrapConfig();
  const batchSize = Number(option(args, '--batch-size') ?? 500);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new UsageError('--batch-size must be an integer from 1 to 10000');
  const keyring = new MasterKeyring(cfg.LEDGER_MASTER_KEY, cfg.LEDGER_PREVIOUS_MASTER_KEYS);
  note(`rewrapping under master key ${keyring.currentId} (also opening ${keyring.ids.slice(1).join(', ') || 'no previous key'})`);
  const [subjects, webhooks] = await withDatabase(cfg.DATABASE_URL, async (ds) => [
    await rewrapSubjectKeys(ds, new PiiCipher(keyring), batchSize),
    await rewrapWebhookSecrets(ds, webhookSecretWrapper(keyring), batchSize),
  ]);
  out(describeCounts('subject keys', subjects));
  out(describeCounts('webhook secrets', webhooks));
  const failed = [...subjects.failed, ...webhooks.failed];
  if (failed.length) note(`not opened by any configured master key (add it to LEDGER_PREVIOUS_MASTER_KEYS): ${failed.slice(0, 20).join(', ')}${failed.length > 20 ? ', …' : ''}`);
  if (subjects.changedMeanwhile + webhooks.changedMeanwhile) note('some rows changed while they were rewrapped: run rewrap again');
  return failed.length ? 1 : 0;
}

async function status(): Promise<number> {
  const cfg = loadStatusConfig();
  const rows = await withDatabase(cfg.DATABASE_URL, (ds) => wrapCensus(ds));
  for (const r of rows) out(`${r.table}\tformat ${r.format}\tmaster key ${r.masterKeyId}\t${r.count}`);
  if (!rows.length) out('no wrapped keys');
  return 0;
}

function rotateSigning(args: string[]): number {
  const grace = option(args, '--grace') ?? '1d';
  const graceMs = parseDurationMs(grace);
  if (graceMs === undefined) throw new UsageError('--grace must be a duration such as 30m, 12h or 7d');
  const env = readRotationEnv();
  const r = rotateSigningKey(env.signingPublicKeys, env.signingKey, new Date(), graceMs);
  note(`# new signing key valid from ${r.validFrom}; ${r.closedKey ? `the replaced key signs until ${r.closedUntil}` : 'no key replaced'}.`);
  note('# 1. verifiers first (audit-api, checkpoint-witness, CLI users): LEDGER_SIGNING_PUBLIC_KEY below;');
  note('# 2. then the projector: LEDGER_SIGNING_KEY below, before the grace ends.');
  out(`LEDGER_SIGNING_PUBLIC_KEY=${r.LEDGER_SIGNING_PUBLIC_KEY}`);
  out(`LEDGER_SIGNING_KEY=${r.LEDGER_SIGNING_KEY}`);
  return 0;
}

function rotateMaster(): number {
  const env = readRotationEnv();
  if (!env.masterKey) throw new UsageError('LEDGER_MASTER_KEY is not set: there is no master key to rotate (use generate)');
  const r = rotateMasterKey(env.masterKey, env.previousMasterKeys);
  out(`# new master key ${r.newKeyId}. Stage 1, on every service holding the master key: the new key unwraps only.`);
  out(`LEDGER_MASTER_KEY=${r.distribute.LEDGER_MASTER_KEY}`);
  out(`LEDGER_PREVIOUS_MASTER_KEYS=${r.distribute.LEDGER_PREVIOUS_MASTER_KEYS}`);
  out('# Stage 2, once every service runs stage 1: the new key wraps. Then `keys rewrap`, then drop LEDGER_PREVIOUS_MASTER_KEYS.');
  out(`LEDGER_MASTER_KEY=${r.switchOver.LEDGER_MASTER_KEY}`);
  out(`LEDGER_PREVIOUS_MASTER_KEYS=${r.switchOver.LEDGER_PREVIOUS_MASTER_KEYS}`);
  return 0;
}

function generate(): number {
  for (const [name, value] of Object.entries(generateSecrets())) out(`${name}=${value}`);
  return 0;
}

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case 'generate':
      return generate();
    case 'rotate-signing':
      return rotateSigning(rest);
    case 'rotate-master':
      return rotateMaster();
    case 'rewrap':
      return rewrap(rest);
    case 'status':
      return status();
    default:
      throw new UsageError(`usage: keys generate | rotate-signing [--grace 1d] | rotate-master | rewrap [--batch-size 500] | status${command ? ` (unknown command ${command})` : ''}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${err instanceof ConfigValidationError || err instanceof UsageError ? err.message : (err as Error).stack}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
