import type { Command } from 'commander';
import { readCliEnvironment, resolveConnection, type CliEnvironment } from './config/cli.config';
import { LedgerClient, type FetchLike } from './http/ledger.client';

export interface OutputStream extends NodeJS.WritableStream {
  isTTY?: boolean;
}

/** What a run of the CLI talks to: its streams, environment and network (tests pass their own). */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: CliEnvironment;
  fetch?: FetchLike;
  /** Aborted on Ctrl-C: long-running commands (export, tail) stop cleanly. */
  signal?: AbortSignal;
}

export interface GlobalFlags {
  url?: string;
  key?: string;
  timeout?: number;
}

/** Handed to each command: the streams and a client for the connection the flags and environment name. */
export class CommandContext {
  constructor(readonly io: CliIo) {}

  static forProcess(signal?: AbortSignal): CommandContext {
    return new CommandContext({ stdout: process.stdout, stderr: process.stderr, env: readCliEnvironment(), signal });
  }

  client(cmd: Command): LedgerClient {
    return new LedgerClient(resolveConnection(cmd.optsWithGlobals<GlobalFlags>(), this.io.env), this.io.fetch, this.io.signal);
  }

  out(line: string): void {
    this.io.stdout.write(line.endsWith('\n') ? line : `${line}\n`);
  }

  err(line: string): void {
    this.io.stderr.write(line.endsWith('\n') ? line : `${line}\n`);
  }
}
