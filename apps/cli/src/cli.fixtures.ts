import { PassThrough } from 'node:stream';
import { CommandContext } from './cli.context';
import { runCli } from './cli.program';
import type { FetchLike } from './http/ledger.client';

/** A request the CLI sent to the fake audit API. */
export interface FakeRequest {
  url: URL;
  method: string;
  body?: unknown;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  requests: FakeRequest[];
}

export const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** Runs the CLI in-process against a fake audit API (unit tests of the commands). */
export async function runCliAgainst(argv: string[], api: (r: FakeRequest) => Response | Promise<Response>): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const requests: FakeRequest[] = [];
  const fetchImpl: FetchLike = async (input, init) => {
    const r = { url: new URL(input), method: init?.method ?? 'GET', body: init?.body ? JSON.parse(String(init.body)) : undefined };
    requests.push(r);
    return api(r);
  };
  const code = await runCli(argv, new CommandContext({ stdout, stderr, env: { apiKey: 'alk_test', url: 'http://ledger.test:3200' }, fetch: fetchImpl }));
  return { code, stdout: out, stderr: err, requests };
}
