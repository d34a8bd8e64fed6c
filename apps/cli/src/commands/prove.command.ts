import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Checkpoint } from '@agent-ledger/contracts';
import { loadPublicKey, parseTrustedKeys, signingKeyId } from '@agent-ledger/integrity';
import type { CommandContext } from '../cli.context';
import { CliError, ExitCode, UsageError } from '../errors/cli.error';
import { collect, integerIn } from '../options/option-parsers';
import { checkInclusionBundle } from '../verify/bundle-check';
import { INCLUSION_BUNDLE_FORMAT, type InclusionBundle, type ProofBundle } from '../verify/proof-bundles';

/** GET /v1/proofs/inclusion. */
interface InclusionAnswer {
  eventId: string;
  leafIndex: number;
  treeSize: number;
  hashes: string[];
  event: InclusionBundle['event'] | null;
  treeHead: Checkpoint | null;
}

interface ProveFlags {
  out?: string;
  treeSize?: number;
  publicKey?: string[];
}

/** The trusted key (base64 SPKI) whose id the tree head names. */
export function signingKeyOf(treeHead: Checkpoint, keys: readonly string[]): string | undefined {
  for (const item of keys) {
    const base64 = item.split(';')[0].trim();
    if (signingKeyId(loadPublicKey(base64)) === treeHead.keyId) return base64;
  }
  return undefined;
}

/** The keys a bundle may carry (--public-key or LEDGER_SIGNING_PUBLIC_KEY), checked to be keys. */
export function bundleKeys(flags: { publicKey?: string[] }, ctx: CommandContext, command: string): string[] {
  const keys = flags.publicKey ?? ctx.io.env.publicKeys;
  if (!keys?.length) throw new UsageError(`${command} needs --public-key <base64 SPKI DER> (or LEDGER_SIGNING_PUBLIC_KEY): the bundle carries the key that signed its tree heads`);
  try {
    parseTrustedKeys(keys);
  } catch (err) {
    throw new UsageError(`--public-key: ${(err as Error).message}`);
  }
  return keys;
}

/** Writes a bundle that verified, as indented JSON. */
export async function writeBundle(out: string, bundle: ProofBundle): Promise<void> {
  try {
    await writeFile(out, `${JSON.stringify(bundle, null, 2)}\n`);
  } catch (err) {
    throw new CliError(ExitCode.LocalFile, `cannot write ${out}: ${(err as Error).message}`);
  }
}

export function registerProveCommand(program: Command, ctx: CommandContext): void {
  program
    .command('prove')
    .description('write an offline inclusion bundle for one event: the event as stored, its inclusion proof, the signed tree head and the public key')
    .argument('<eventId>', 'the event (UUID)')
    .option('--out <file>', 'where to write the bundle (default: proof-<eventId>.json)')
    .option('--tree-size <n>', 'prove against this signed tree size (default: the newest signed tree head containing the event)', integerIn(1, Number.MAX_SAFE_INTEGER))
    .option('--public-key <base64>', 'the Ed25519 public key that signs checkpoints, base64 SPKI DER (repeatable; default LEDGER_SIGNING_PUBLIC_KEY)', collect)
    .addHelpText('after', '\nThe bundle holds this one event and hashes only. Check it anywhere with `agent-ledger verify-bundle <file>`.\n\nExample:\n  agent-ledger prove 3f1c…-… --out proof.json')
    .action(async (eventId: string, flags: ProveFlags, command: Command) => {
      const keys = bundleKeys(flags, ctx, 'prove');
      const answer = await ctx.client(command).getJson<InclusionAnswer>('/v1/proofs/inclusion', { eventId, ...(flags.treeSize ? { treeSize: String(flags.treeSize) } : {}) });
      if (!answer.treeHead) throw new CliError(ExitCode.Unverified, `no signed tree head of ${answer.treeSize} leaves yet: retry after the next checkpoint, or pass --tree-size of a signed one`);
      if (!answer.event) throw new CliError(ExitCode.ApiError, `the event's row is no longer stored (retention): its leaf is in the tree, but a bundle needs the event`);
      const publicKey = signingKeyOf(answer.treeHead, keys);
      if (!publicKey) throw new CliError(ExitCode.VerificationFailed, `the tree head is signed by key ${answer.treeHead.keyId}, none of the given public keys`);
      const bundle: InclusionBundle = {
        format: INCLUSION_BUNDLE_FORMAT,
        event: { eventId: answer.eventId, partition: answer.event.partition, chainSeq: answer.event.chainSeq, prevHash: answer.event.prevHash, hash: answer.event.hash, eventJson: answer.event.eventJson },
        proof: { leafIndex: answer.leafIndex, treeSize: answer.treeSize, hashes: answer.hashes },
        treeHead: answer.treeHead,
        publicKey,
      };
      // Never hand out a bundle that does not verify.
      const check = checkInclusionBundle(bundle, keys);
      if (check.problems.length) throw new CliError(ExitCode.VerificationFailed, `the server's proof does not verify: ${check.problems.join('; ')}`);
      const out = flags.out ?? `proof-${answer.eventId}.json`;
      await writeBundle(out, bundle);
      ctx.err(`wrote ${out}: event ${answer.eventId}, leaf ${answer.leafIndex} of ${answer.treeSize}, tree head ${answer.treeHead.createdAt}`);
    });
}
