import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from '@agent-ledger/testing';

/**
 * An example program run as a child process: its stdout JSON lines parsed, its stderr kept for
 * diagnostics and readiness.
 */
export class ExampleProcess {
  /** Every stdout line that parsed as JSON. */
  readonly printed: Record<string, unknown>[] = [];
  private stdoutRest = '';
  private stderr = '';
  private child?: ChildProcess;
  private exit?: Promise<number | null>;

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  start(): this {
    const child = spawn(this.command, this.args, { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    child.stdout!.on('data', (chunk: Buffer) => {
      const lines = (this.stdoutRest + chunk.toString('utf8')).split('\n');
      this.stdoutRest = lines.pop()!;
      for (const line of lines) {
        try {
          this.printed.push(JSON.parse(line));
        } catch {
          this.stderr += `(stdout, not JSON) ${line}\n`;
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-20_000);
    });
    this.exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    return this;
  }

  get diagnostics(): string {
    return this.stderr;
  }

  /** Waits until stderr matches `pattern` (e.g. the line saying the consumer joined its group). */
  async waitForDiagnostic(pattern: RegExp, timeoutMs = 60_000): Promise<void> {
    await waitFor(
      () => {
        if (this.child?.exitCode !== null && this.child?.exitCode !== undefined) throw new Error(`${this.name} exited (${this.child.exitCode}):\n${this.stderr}`);
        return pattern.test(this.stderr);
      },
      { timeoutMs, what: `${this.name}: ${pattern}` },
    ).catch((err) => {
      throw new Error(`${(err as Error).message}\n--- ${this.name} stderr ---\n${this.stderr.slice(-3_000)}`);
    });
  }

  /** Waits for a printed event matching `match`, and returns it. */
  async waitForPrinted(match: (e: Record<string, unknown>) => boolean, what: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
    return waitFor(() => this.printed.find(match), { timeoutMs, what: `${this.name} to print ${what}` }).catch((err) => {
      throw new Error(`${(err as Error).message}\n--- ${this.name} stderr ---\n${this.stderr.slice(-3_000)}`);
    });
  }

  /** Sends SIGTERM and waits for the exit code (SIGKILL after 10 s). */
  async stop(): Promise<number | null> {
    if (!this.child || this.child.exitCode !== null) return this.child?.exitCode ?? null;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child?.kill('SIGKILL'), 10_000);
    const code = await this.exit!;
    clearTimeout(timer);
    return code;
  }
}
