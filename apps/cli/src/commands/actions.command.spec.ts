import { PassThrough } from 'node:stream';
import { CommandContext } from '../cli.context';
import { runCli } from '../cli.program';
import { ExitCode } from '../errors/cli.error';
import type { FetchLike } from '../http/ledger.client';

describe('agent-ledger actions --sort', () => {
  it('should ask the API for the slowest first when --sort duration_desc is given, and for nothing else otherwise', async () => {
    const urls: URL[] = [];
    const fetchImpl: FetchLike = async (input) => {
      urls.push(new URL(input));
      return new Response(JSON.stringify({ items: [{ actionId: 'a-1', status: 'executed', durationMs: 900 }], nextCursor: null }), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const run = (argv: string[]) => runCli(argv, new CommandContext({ stdout: new PassThrough(), stderr: new PassThrough(), env: { apiKey: 'alk_test', url: 'http://ledger.test:3200' }, fetch: fetchImpl }));

    expect(await run(['actions', '--sort', 'duration_desc', '--json'])).toBe(ExitCode.Ok);
    expect(await run(['actions', '--json'])).toBe(ExitCode.Ok);
    expect(await run(['actions', '--sort', 'fastest'])).not.toBe(ExitCode.Ok);

    expect(urls.map((u) => u.searchParams.get('sort'))).toEqual(['duration_desc', null]);
  });
});
