import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Checkpoint } from '@agent-ledger/contracts';
import { loadPublicKey, parseTrustedKeys, signingKeyId, verifyCheckpointSignature, verifyInclusion } from '@agent-ledger/integrity';
import type { CommandContext } from '../cli.context';
import { CliError, ExitCode, UsageError } from '../errors/cli.error';
import { collect } from '../options/option-parsers';

export const BUNDLE_FORMAT = 'agent-ledger.inclusion-bundle.v1';

/**
 * An offline proof that one event is in its tenant's log (docs/proofs.md): the event as stored, its
 * RFC 9162 inclusion proof, the signed tree head (a checkpoint with `tree`) and the public key that
 * signed it. Besides this one event it holds hashes only.
 */
export interface InclusionBundle {
  format: typeof BUNDLE_FORMAT;
  event: { eventId: string; partition: number; chainSeq: string; prevHash: string; hash: string; eventJson: string };
  proof: { leafIndex: number; treeSize: number; hashes: string[] };
  treeHead: Checkpoint;
  /** base64 SPKI DER of the Ed25519 key that signed the tree head. */
  publicKey: string;
}

/** What checking a bundle found: `problems` is empty when it verifies. */
export interface BundleCheck {
  problems: string[];
  keyPinned: boolean;
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Checks a bundle without the server: the event's stored hash recomputes (SHA-256(prevHash ‖
 * eventJson)) and names this event of this tenant; the tree head's signature verifies with the
 * bundle's key (whose id it names), a trusted key when `trusted` is given; the proof puts the
 * event's hash at its leaf index in the signed tree.
 */
export function checkBundle(bundle: InclusionBundle, trusted?: string[]): BundleCheck {
  const problems: string[] = [];
  const { event, proof, treeHead } = bundle;
  if (bundle.format !== BUNDLE_FORMAT) return { problems: [`not an inclusion bundle (format ${String(bundle.format)})`], keyPinned: false };
  if (!event || !proof || !treeHead || typeof bundle.publicKey !== 'string') return { problems: ['the bundle lacks event, proof, treeHead or publicKey'], keyPinned: false };
  if (!HEX64.test(event.prevHash) || !HEX64.test(event.hash) || !proof.hashes.every((h) => HEX64.test(h))) problems.push('a hash is not 64 lowercase hex characters');
  const recomputed = createHash('sha256').update(Buffer.from(event.prevHash, 'hex')).update(event.eventJson, 'utf8').digest('hex');
  if (recomputed !== event.hash) problems.push('the event does not hash to its stored hash (the event or its hash was modified)');
  let stored: { eventId?: unknown; tenantId?: unknown } = {};
  try {
    stored = JSON.parse(event.eventJson) as typeof stored;
  } catch {
    problems.push('eventJson is not JSON');
  }
  if (stored.eventId !== event.eventId) problems.push(`eventJson names event ${String(stored.eventId)}, not ${event.eventId}`);
  if (stored.tenantId !== treeHead.tenantId) problems.push("the event is not the tree head's tenant's");

  let keyPinned = false;
  try {
    const key = loadPublicKey(bundle.publicKey);
    if (signingKeyId(key) !== treeHead.keyId) problems.push(`the tree head names key ${treeHead.keyId}, the bundle holds key ${signingKeyId(key)}`);
    if (!verifyCheckpointSignature(treeHead, key)) problems.push('the tree head signature does not verify');
    if (trusted?.length) {
      const ids = parseTrustedKeys(trusted).map((k) => k.keyId);
      keyPinned = ids.includes(signingKeyId(key));
      if (!keyPinned) problems.push(`the bundle's key ${signingKeyId(key)} is not one of the trusted keys`);
    }
  } catch (err) {
    problems.push(`publicKey: ${(err as Error).message}`);
  }

  const tree = treeHead.tree;
  if (!tree) problems.push('the checkpoint carries no tree head');
  else if (String(proof.treeSize) !== tree.size) problems.push(`the proof is for a tree of ${proof.treeSize} leaves, the signed tree head has ${tree.size}`);
  else if (!verifyInclusion(proof.leafIndex, proof.treeSize, Buffer.from(event.hash, 'hex'), proof.hashes.map((h) => Buffer.from(h, 'hex')), Buffer.from(tree.rootHash, 'hex'))) {
    problems.push(`the inclusion proof does not lead to the signed root (leaf ${proof.leafIndex} of ${proof.treeSize})`);
  }
  return { problems, keyPinned };
}

interface VerifyBundleFlags {
  publicKey?: string[];
  json?: boolean;
}

export function registerVerifyBundleCommand(program: Command, ctx: CommandContext): void {
  program
    .command('verify-bundle')
    .description('check an inclusion bundle written by `prove`, offline: the event, the proof and the signed tree head')
    .argument('<file>', 'the bundle (JSON)')
    .option('--public-key <base64>', 'trusted Ed25519 public key, base64 SPKI DER (repeatable; default LEDGER_SIGNING_PUBLIC_KEY); without one the bundle’s own key is used', collect)
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExit code 0 when the bundle verifies, 1 when it does not (each problem is named).\n\nExample:\n  agent-ledger verify-bundle proof-3f1c.json --public-key MCowBQYDK2VwAyEA…')
    .action(async (file: string, flags: VerifyBundleFlags) => {
      let bundle: InclusionBundle;
      try {
        bundle = JSON.parse(await readFile(file, 'utf8')) as InclusionBundle;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code) throw new CliError(ExitCode.LocalFile, `cannot read ${file}: ${(err as Error).message}`);
        throw new CliError(ExitCode.VerificationFailed, `${file} is not JSON`);
      }
      if (typeof bundle !== 'object' || bundle === null) throw new UsageError(`${file} is not an inclusion bundle`);
      const trusted = flags.publicKey ?? ctx.io.env.publicKeys;
      const check = checkBundle(bundle, trusted);
      const ok = !check.problems.length;
      if (flags.json) ctx.out(JSON.stringify({ ok, problems: check.problems, keyPinned: check.keyPinned, eventId: bundle.event?.eventId, leafIndex: bundle.proof?.leafIndex, treeSize: bundle.proof?.treeSize }));
      else if (ok) {
        ctx.out(`ok: event ${bundle.event.eventId} is leaf ${bundle.proof.leafIndex} of the ${bundle.proof.treeSize}-leaf log of tenant ${bundle.treeHead.tenantId}`);
        ctx.out(`tree head signed ${bundle.treeHead.createdAt} by key ${bundle.treeHead.keyId}${check.keyPinned ? ' (trusted)' : " (the bundle's own key: pass --public-key to pin it)"}`);
      } else {
        ctx.out(`FAILED: ${file}`);
        for (const p of check.problems) ctx.out(`  ${p}`);
      }
      if (!ok) throw new CliError(ExitCode.VerificationFailed, `the bundle does not verify (${check.problems.length} problem${check.problems.length === 1 ? '' : 's'})`);
    });
}
