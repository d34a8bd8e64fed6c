import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

/** A message the test SMTP server accepted. */
export interface ReceivedEmail {
  to: string[];
  from: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  headers: Map<string, unknown>;
  attachments: { filename: string; contentType: string; content: Buffer }[];
}

/**
 * A real SMTP server (smtp-server) on loopback. A recipient's local part picks a reply:
 * `tempfail-once-*` is refused with 451 the first time, `reject-*` always with 550.
 */
export class TestSmtpServer {
  readonly received: ReceivedEmail[] = [];
  readonly rcptAttempts = new Map<string, number>();
  private server?: SMTPServer;
  port = 0;

  async start(): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      logger: false,
      onRcptTo: (address: SMTPServerAddress, _session, callback) => {
        const n = (this.rcptAttempts.get(address.address) ?? 0) + 1;
        this.rcptAttempts.set(address.address, n);
        if (address.address.startsWith('reject-')) return callback(Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 }));
        if (address.address.startsWith('tempfail-once-') && n === 1) return callback(Object.assign(new Error('4.2.0 try again later'), { responseCode: 451 }));
        callback();
      },
      onData: (stream, _session, callback) => {
        simpleParser(stream).then(
          (mail) => {
            const to = (Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : []).flatMap((a) => a.value.map((v) => v.address ?? ''));
            this.received.push({ to, from: mail.from?.text ?? '', subject: mail.subject ?? '', text: mail.text ?? '', html: typeof mail.html === 'string' ? mail.html : '', messageId: mail.messageId ?? '', headers: mail.headers, attachments: mail.attachments.map((a) => ({ filename: a.filename ?? '', contentType: a.contentType, content: a.content })) });
            callback();
          },
          (err) => callback(err),
        );
      },
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.port = ((this.server as unknown as { server: Server }).server.address() as AddressInfo).port;
    return this;
  }

  to(address: string): ReceivedEmail[] {
    return this.received.filter((m) => m.to.includes(address));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** A request the HTTP receiver got. */
export interface ReceivedCall {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
  /** The status answered (undefined while held or when the connection closed first). */
  status?: number;
  /** The answer was written before the connection closed. */
  answered: boolean;
  /** The sender went away before an answer. */
  aborted: boolean;
}

/** What to answer: a status (and headers), after an optional delay; `hold` never answers. */
export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  delayMs?: number;
  hold?: boolean;
}

/** A real HTTP server on loopback; each path answers through its own script (the n-th call's reply). */
export class TestHttpReceiver {
  readonly calls: ReceivedCall[] = [];
  private readonly scripts = new Map<string, (n: number, call: ReceivedCall) => Reply>();
  private readonly server: Server = createServer((req, res) => this.handle(req, res));
  port = 0;

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(p: string): string {
    return `http://127.0.0.1:${this.port}${p}`;
  }

  /** Sets how a path answers; `script(n)` gets the 1-based number of the call on that path. */
  on(p: string, script: (n: number, call: ReceivedCall) => Reply): void {
    this.scripts.set(p, script);
  }

  at(p: string): ReceivedCall[] {
    return this.calls.filter((c) => c.path === p);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const call: ReceivedCall = { path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now(), answered: false, aborted: false };
      this.calls.push(call);
      const script = this.scripts.get(call.path);
      const reply: Reply = script ? script(this.at(call.path).length, call) : { status: 200 };
      res.on('close', () => {
        if (!call.answered) call.aborted = true;
      });
      if (reply.hold) return;
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(reply.status ?? 200, { 'content-type': 'text/plain', ...reply.headers });
        res.end(reply.body ?? 'ok', () => {
          call.status = reply.status ?? 200;
          call.answered = true;
        });
      };
      if (reply.delayMs) setTimeout(answer, reply.delayMs);
      else answer();
    });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * A Redis of the test's own (persistent: AOF fsync'd on every write, noeviction), so it can be
 * stopped and restarted without touching the shared stack's Redis.
 */
export class PrivateRedis {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'ledger-redis-'));
  private child?: ChildProcess;

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--maxmemory-policy', 'noeviction'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`redis-server did not start:\n${out}`)), 10_000);
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}):\n${out}`));
      });
    });
  }

  /** SIGTERM: Redis flushes and exits. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
