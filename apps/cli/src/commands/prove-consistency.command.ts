import type { Command } from 'commander';
import type { Checkpoint } from '@agent-ledger/contracts';
import type { CommandContext } from '../cli.context';
import { CliError, ExitCode, UsageError } from '../errors/cli.error';
import type { LedgerClient } from '../http/ledger.client';
import { collect, integerIn } from '../options/option-parsers';
import { checkBundle, checkConsistencyBundle, checkPrevious } from '../verify/bundle-check';
import { readBundle } from '../verify/bundle-file';
import { CONSISTENCY_BUNDLE_FORMAT, newestTreeHeadOf, type ConsistencyBundle, type ProofBundle } from '../verify/proof-bundles';
import { bundleKeys, signingKeyOf, writeBundle } from './prove.command';

/** GET /v1/proofs/consistency. */
interface ConsistencyAnswer {
  from: number;
  to: number;
  hashes: string[];
  fromTreeHead: Checkpoint | null;
  toTreeHead: Checkpoint | null;
}

interface ProveConsistencyFlags {
  to?: number;
  fromBundle?: string;
  out?: string;
  publicKey?: string[];
}

const SIZE = integerIn(1, Number.MAX_SAFE_INTEGER);

/** GET /v1/proofs/tree-head. */
interface TreeHeadAnswer {
  treeSize: number;
  signedTreeHead: Checkpoint | null;
}

/** The size of the newest signed tree head (GET /v1/proofs/tree-head); undefined before the first. */
async function newestSignedTreeSize(client: LedgerClient): Promise<number | undefined> {
  const head = await client.getJson<TreeHeadAnswer>('/v1/proofs/tree-head', {});
  const size = Number(head.signedTreeHead?.tree?.size);
  return Number.isSafeInteger(size) && size > 0 ? size : undefined;
}

/** The older size and the bundle it came from (`--from-bundle`), which must verify itself. */
async function olderTree(fromSize: number | undefined, flags: ProveConsistencyFlags, keys: string[]): Promise<{ from: number; kept?: ProofBundle }> {
  if ((fromSize === undefined) === (flags.fromBundle === undefined)) throw new UsageError('give the older tree size or --from-bundle <file>, one of them');
  if (fromSize !== undefined) return { from: fromSize };
  const kept = await readBundle(flags.fromBundle!);
  const check = checkBundle(kept, keys);
  if (check.problems.length) throw new CliError(ExitCode.VerificationFailed, `${flags.fromBundle} does not verify: ${check.problems.join('; ')}`);
  return { from: Number(newestTreeHeadOf(kept)!.tree!.size), kept };
}

export function registerProveConsistencyCommand(program: Command, ctx: CommandContext): void {
  program
    .command('prove-consistency')
    .description('write an offline consistency bundle: two signed tree heads of the tenant and the proof that the log only grew between them')
    .argument('[fromSize]', 'the older tree size (a size a checkpoint signed)', SIZE)
    .option('--to <n>', 'the newer signed tree size (default: the newest signed tree head)', SIZE)
    .option('--from-bundle <file>', 'take the older size and its signed root from a bundle you kept (inclusion or consistency) instead of <fromSize>')
    .option('--out <file>', 'where to write the bundle (default: consistency-<from>-<to>.json)')
    .option('--public-key <base64>', 'the Ed25519 public key that signs checkpoints, base64 SPKI DER (repeatable; default LEDGER_SIGNING_PUBLIC_KEY)', collect)
    .addHelpText(
      'after',
      '\nBoth sizes must have signed tree heads. The bundle holds the two heads and hashes, no event.\nCheck it anywhere with `agent-ledger verify-bundle <file> [--previous <the bundle you kept>]`.\n\nExamples:\n  agent-ledger prove-consistency 40 --out grew.json\n  agent-ledger prove-consistency --from-bundle proof-3f1c.json --to 96',
    )
    .action(async (fromSize: number | undefined, flags: ProveConsistencyFlags, command: Command) => {
      const keys = bundleKeys(flags, ctx, 'prove-consistency');
      const { from, kept } = await olderTree(fromSize, flags, keys);
      const client = ctx.client(command);
      const to = flags.to ?? (await newestSignedTreeSize(client));
      if (to === undefined) throw new CliError(ExitCode.Unverified, 'no signed tree head yet: retry after the next checkpoint');
      if (from > to) throw new UsageError(`the older size ${from} is larger than ${flags.to === undefined ? 'the newest signed tree head' : '--to'} (${to})`);
      const answer = await client.getJson<ConsistencyAnswer>('/v1/proofs/consistency', { from: String(from), to: String(to) });
      if (!answer.fromTreeHead) throw new CliError(ExitCode.Unverified, `no signed tree head of ${from} leaves: a consistency bundle starts at a size a checkpoint signed (--from-bundle takes it from a bundle you kept)`);
      if (!answer.toTreeHead) throw new CliError(ExitCode.Unverified, `no signed tree head of ${to} leaves: pass --to of a signed size, or leave it out for the newest`);
      const publicKey = signingKeyOf(answer.toTreeHead, keys);
      if (!publicKey) throw new CliError(ExitCode.VerificationFailed, `the tree head of ${to} leaves is signed by key ${answer.toTreeHead.keyId}, none of the given public keys`);
      const fromPublicKey = signingKeyOf(answer.fromTreeHead, keys);
      if (!fromPublicKey) throw new CliError(ExitCode.VerificationFailed, `the tree head of ${from} leaves is signed by key ${answer.fromTreeHead.keyId}, none of the given public keys (pass the key used before a rotation as well)`);
      const bundle: ConsistencyBundle = { format: CONSISTENCY_BUNDLE_FORMAT, from: answer.fromTreeHead, to: answer.toTreeHead, hashes: answer.hashes, publicKey, ...(fromPublicKey !== publicKey ? { fromPublicKey } : {}) };
      // Never hand out a bundle that does not verify, nor one that does not extend the head the auditor kept.
      const problems = [...checkConsistencyBundle(bundle, keys).problems, ...(kept ? checkPrevious(bundle, kept, keys).problems : [])];
      if (problems.length) throw new CliError(ExitCode.VerificationFailed, `the server's proof does not verify: ${problems.join('; ')}`);
      const out = flags.out ?? `consistency-${from}-${to}.json`;
      await writeBundle(out, bundle);
      ctx.err(`wrote ${out}: tenant ${bundle.to.tenantId}, tree of ${from} leaves (signed ${bundle.from.createdAt}) → ${to} leaves (signed ${bundle.to.createdAt}), ${bundle.hashes.length} proof hashes`);
    });
}
