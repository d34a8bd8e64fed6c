import { PassThrough } from 'node:stream';
import { CommandContext } from '../cli.context';
import { runCli } from '../cli.program';
import { ExitCode } from '../errors/cli.error';
import type { FetchLike } from '../http/ledger.client';
import { formatDuration } from '../output/format';

/** Runs `agent-ledger show` in-process against a fake audit API answering `detail`. */
async function show(detail: unknown) {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (c) => (out += c));
  const fetchImpl: FetchLike = async () => new Response(JSON.stringify(detail), { status: 200, headers: { 'content-type': 'application/json' } });
  const code = await runCli(['show', 'a-1'], new CommandContext({ stdout, stderr: new PassThrough(), env: { apiKey: 'alk_test', url: 'http://ledger.test:3200' }, fetch: fetchImpl }));
  return { code, stdout: out };
}

describe('agent-ledger show', () => {
  it('should print the provider, task, plan, approval id and decision time of an action when it has them', async () => {
    const r = await show({
      actionId: 'a-1',
      status: 'executed',
      tool: { name: 'refund_order', provider: 'stripe', riskLevel: 'destructive' },
      approval: { required: true, decision: 'approved', approvedBy: 'lead', approvalId: 'apr-7', decisionMs: 4200 },
      taskId: 'task-3',
      plan: { planId: 'plan-1', stepId: 'step-2' },
      timeline: [],
    });

    expect(r.code).toBe(ExitCode.Ok);
    expect(r.stdout).toMatch(/^provider\s+stripe$/m);
    expect(r.stdout).toMatch(/^approval id\s+apr-7$/m);
    expect(r.stdout).toMatch(new RegExp(`^decision time\\s+${formatDuration(4200).replace('.', '\\.')}$`, 'm'));
    expect(r.stdout).toMatch(/^task\s+task-3$/m);
    expect(r.stdout).toMatch(/^plan\s+plan-1, step step-2$/m);
  });
});
