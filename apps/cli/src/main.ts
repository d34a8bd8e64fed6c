import { CommandContext } from './cli.context';
import { runCli } from './cli.program';
import { ExitCode } from './errors/cli.error';

/**
 * Entry point of the `agent-ledger` bin (apps/cli/bin/agent-ledger.js): runs the CLI in this
 * process and resolves with the exit code. Ctrl-C stops a running export, tail or request
 * cleanly; a second Ctrl-C exits at once.
 */
export async function run(argv: string[]): Promise<number> {
  const interrupt = new AbortController();
  const onSigint = () => {
    if (interrupt.signal.aborted) process.exit(ExitCode.Interrupted);
    interrupt.abort();
    // Commands that watch the signal (export, tail, requests) finish within moments; others are ended.
    setTimeout(() => process.exit(ExitCode.Interrupted), 3_000).unref();
  };
  process.on('SIGINT', onSigint);
  // `agent-ledger actions --json | head` closes stdout early: stop quietly.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(ExitCode.Ok);
    throw err;
  });
  try {
    return await runCli(argv, CommandContext.forProcess(interrupt.signal));
  } finally {
    process.off('SIGINT', onSigint);
  }
}

if (require.main === module) {
  void run(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
