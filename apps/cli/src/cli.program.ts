import { Command, CommanderError, Option } from 'commander';
import { CommandContext } from './cli.context';
import { registerActionsCommand } from './commands/actions.command';
import { registerDeadLettersCommand } from './commands/dead-letters.command';
import { registerErrorsCommand } from './commands/errors.command';
import { registerEscalationsCommand } from './commands/escalations.command';
import { registerExportChainCommand } from './commands/export-chain.command';
import { registerExportCommand } from './commands/export.command';
import { registerPerformanceCommand } from './commands/performance.command';
import { registerProveConsistencyCommand } from './commands/prove-consistency.command';
import { registerProveCommand } from './commands/prove.command';
import { registerRetentionCommand } from './commands/retention.command';
import { registerSessionCommand } from './commands/session.command';
import { registerShowCommand } from './commands/show.command';
import { registerStatsCommand } from './commands/stats.command';
import { registerTailCommand } from './commands/tail.command';
import { registerVerifyBundleCommand } from './commands/verify-bundle.command';
import { registerVerifyCommand } from './commands/verify.command';
import { DEFAULT_LEDGER_URL } from './config/cli.config';
import { CliError, ExitCode } from './errors/cli.error';
import { CLI_VERSION } from './http/ledger.client';
import { integerIn } from './options/option-parsers';

const EXIT_CODES_HELP = `
Connection: --url / LEDGER_URL (default ${DEFAULT_LEDGER_URL}), --key / LEDGER_API_KEY (a key with scope read).

Exit codes: 0 ok · 1 verification failed · 2 bad flags · 3 API error · 4 key rejected (401/403)
            5 server unreachable · 6 local file error · 7 not built · 8 verify: not yet signed · 130 interrupted`;

/** The `agent-ledger` command tree; output and errors go to the context's streams. */
export function buildProgram(ctx: CommandContext): Command {
  const program = new Command('agent-ledger')
    .description('Query, export, verify and tail the agent-ledger audit record through the audit API.')
    .version(CLI_VERSION, '-V, --version')
    .addOption(new Option('--url <url>', 'audit API base URL (env LEDGER_URL)'))
    .addOption(new Option('--key <apiKey>', 'API key with scope read (env LEDGER_API_KEY; prefer the variable: flags show in ps)'))
    .addOption(new Option('--timeout <ms>', 'how long to wait for the API to answer').argParser(integerIn(100, 3_600_000)).default(30_000))
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_CODES_HELP)
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
      outputError: (s, write) => write(s.replace(/^error: /, 'agent-ledger: ')),
    });
  registerActionsCommand(program, ctx);
  registerShowCommand(program, ctx);
  registerStatsCommand(program, ctx);
  registerPerformanceCommand(program, ctx);
  registerErrorsCommand(program, ctx);
  registerExportCommand(program, ctx);
  registerExportChainCommand(program, ctx);
  registerVerifyCommand(program, ctx);
  registerProveCommand(program, ctx);
  registerProveConsistencyCommand(program, ctx);
  registerVerifyBundleCommand(program, ctx);
  registerTailCommand(program, ctx);
  registerDeadLettersCommand(program, ctx);
  registerRetentionCommand(program, ctx);
  registerSessionCommand(program, ctx);
  registerEscalationsCommand(program, ctx);
  // Every command reports usage errors through exitOverride (exit code 2, not commander's 1).
  const override = (cmd: Command): void => {
    cmd.exitOverride();
    cmd.commands.forEach(override);
  };
  override(program);
  for (const cmd of program.commands) cmd.showHelpAfterError(`(run "agent-ledger ${cmd.name()} --help" for usage)`).configureOutput(program.configureOutput());
  return program;
}

/**
 * Runs the CLI on `argv` (without node and the script) and resolves with the exit code. Errors are
 * printed as one line on stderr: `agent-ledger: <what went wrong>`.
 */
export async function runCli(argv: string[], ctx: CommandContext): Promise<number> {
  const program = buildProgram(ctx);
  if (argv.length === 0) {
    program.outputHelp();
    return ExitCode.Usage;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ExitCode.Ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version end the parse through exitOverride too, with exit code 0.
      if (err.exitCode === 0 || ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(err.code)) return ExitCode.Ok;
      return ExitCode.Usage;
    }
    // Ctrl-C: whatever the interrupted request threw, report the interruption (an export says which file it did not write).
    if (ctx.io.signal?.aborted && !(err instanceof CliError && err.exitCode === ExitCode.Interrupted)) {
      ctx.err('agent-ledger: interrupted');
      return ExitCode.Interrupted;
    }
    if (err instanceof CliError) {
      ctx.err(`agent-ledger: ${err.message}`);
      return err.exitCode;
    }
    ctx.err(`agent-ledger: unexpected error: ${(err as Error)?.stack ?? String(err)}`);
    return ExitCode.Internal;
  }
}
