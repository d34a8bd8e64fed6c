import type { Command } from 'commander';
import type { CommandContext } from '../cli.context';
import { CliError, ExitCode, UsageError } from '../errors/cli.error';
import { collect } from '../options/option-parsers';
import { checkBundle, checkPrevious, type BundleCheck } from '../verify/bundle-check';
import { readBundle } from '../verify/bundle-file';
import { CONSISTENCY_BUNDLE_FORMAT, type ProofBundle } from '../verify/proof-bundles';

interface VerifyBundleFlags {
  publicKey?: string[];
  previous?: string;
  json?: boolean;
}

/** The one-line summary and JSON fields of a bundle that verified. */
function summaryOf(bundle: ProofBundle): { line: string; fields: Record<string, unknown> } {
  if (bundle.format === CONSISTENCY_BUNDLE_FORMAT) {
    const { from, to } = bundle;
    return {
      line: `ok: the ${to?.tree?.size}-leaf log of tenant ${to?.tenantId} (signed ${to?.createdAt}) extends its ${from?.tree?.size}-leaf log (signed ${from?.createdAt})`,
      fields: { tenantId: to?.tenantId, fromSize: Number(from?.tree?.size), toSize: Number(to?.tree?.size), fromRootHash: from?.tree?.rootHash, toRootHash: to?.tree?.rootHash },
    };
  }
  return {
    line: `ok: event ${bundle.event?.eventId} is leaf ${bundle.proof?.leafIndex} of the ${bundle.proof?.treeSize}-leaf log of tenant ${bundle.treeHead?.tenantId}`,
    fields: { eventId: bundle.event?.eventId, leafIndex: bundle.proof?.leafIndex, treeSize: bundle.proof?.treeSize },
  };
}

export function registerVerifyBundleCommand(program: Command, ctx: CommandContext): void {
  program
    .command('verify-bundle')
    .description('check a bundle written by `prove` (inclusion) or `prove-consistency`, offline: the proof and the signed tree heads')
    .argument('<file>', 'the bundle (JSON)')
    .option('--public-key <base64>', 'trusted Ed25519 public key, base64 SPKI DER (repeatable; default LEDGER_SIGNING_PUBLIC_KEY); without one the bundle’s own key is used', collect)
    .option('--previous <file>', 'consistency bundles: an earlier bundle you kept (inclusion or consistency); its signed tree head must be this bundle’s from')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExit code 0 when the bundle verifies, 1 when it does not (each problem is named).\n\nExamples:\n  agent-ledger verify-bundle proof-3f1c.json --public-key MCowBQYDK2VwAyEA…\n  agent-ledger verify-bundle consistency-40-96.json --previous proof-3f1c.json',
    )
    .action(async (file: string, flags: VerifyBundleFlags) => {
      const bundle = await readBundle(file);
      if (flags.previous && bundle.format !== CONSISTENCY_BUNDLE_FORMAT) throw new UsageError('--previous applies to a consistency bundle: the file is an inclusion bundle');
      const previous = flags.previous ? await readBundle(flags.previous) : undefined;
      const trusted = flags.publicKey ?? ctx.io.env.publicKeys;
      const check: BundleCheck = checkBundle(bundle, trusted);
      if (previous && bundle.format === CONSISTENCY_BUNDLE_FORMAT) {
        const kept = checkPrevious(bundle, previous, trusted);
        check.problems.push(...kept.problems);
        check.keyPinned = check.keyPinned && kept.keyPinned;
      }
      const ok = !check.problems.length;
      const { line, fields } = summaryOf(bundle);
      if (flags.json) ctx.out(JSON.stringify({ ok, problems: check.problems, keyPinned: check.keyPinned, format: bundle.format, ...fields, ...(previous ? { previous: flags.previous } : {}) }));
      else if (ok) {
        const signed = bundle.format === CONSISTENCY_BUNDLE_FORMAT ? `tree heads signed by key ${bundle.to.keyId}` : `tree head signed ${bundle.treeHead.createdAt} by key ${bundle.treeHead.keyId}`;
        ctx.out(line);
        if (previous) ctx.out(`the tree head kept in ${flags.previous} is this bundle's from: the log only grew since`);
        ctx.out(`${signed}${check.keyPinned ? ' (trusted)' : " (the bundle's own key: pass --public-key to pin it)"}`);
      } else {
        ctx.out(`FAILED: ${file}`);
        for (const p of check.problems) ctx.out(`  ${p}`);
      }
      if (!ok) throw new CliError(ExitCode.VerificationFailed, `the bundle does not verify (${check.problems.length} problem${check.problems.length === 1 ? '' : 's'})`);
    });
}
