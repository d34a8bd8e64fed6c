import { PassThrough } from 'node:stream';
import { CommandContext } from '../cli.context';
import { runCli } from '../cli.program';
import { ExitCode } from '../errors/cli.error';
import { ledgerEventOf } from './tail.command';

/** A text/event-stream response that sends `frames` and then ends (the server went away). */
function sse(frames: string[]): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const f of frames) controller.enqueue(new TextEncoder().encode(f));
      controller.close();
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
}

/** A frame as GET /v1/stream sends it: the stored event with its recording time. */
const event = (id: string, type: string, recordedAt = '2026-03-01T09:00:01.000Z') =>
  `id: ${id}\nevent: ledger-event\ndata: ${JSON.stringify({ eventId: id, recordedAt, event: { eventId: id, type, actionId: `act-${id}`, occurredAt: '2026-03-01T09:00:00Z', tool: { name: 'refund_order', riskLevel: 'critical' } } })}\n\n`;

describe('agent-ledger tail', () => {
  it('should print each event once and resume from the last one when the stream ends', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (c) => (out += c));
    stderr.on('data', (c) => (err += c));
    const lastIds: (string | undefined)[] = [];
    const queries: string[] = [];
    const ctx = new CommandContext({
      stdout,
      stderr,
      env: { apiKey: 'k' },
      fetch: async (url, init) => {
        lastIds.push((init?.headers as Record<string, string>)['last-event-id']);
        queries.push(new URL(url).search);
        return lastIds.length === 1
          ? sse(['retry: 5\n', ': hi\n\n', event('e1', 'action.attempted'), 'event: heartbeat\ndata: {}\n\n', event('e2', 'action.executed', '2026-03-01T09:00:02.000Z')])
          : // The resumed stream replays from the last recording time: e2 again, then e3.
            sse([event('e2', 'action.executed', '2026-03-01T09:00:02.000Z'), event('e3', 'action.failed', '2026-03-01T09:00:03.000Z')]);
      },
    });
    const code = await runCli(['tail', '--limit', '3', '--risk', 'critical'], ctx);
    expect(code).toBe(ExitCode.Ok);
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('2026-03-01 09:00:00Z  action.attempted  act-e1  refund_order (critical)');
    expect(lines.map((l) => l.split(/\s+/)[2])).toEqual(['action.attempted', 'action.executed', 'action.failed']);
    expect(lastIds).toEqual([undefined, 'e2']);
    expect(queries).toEqual(['?riskLevel=critical', `?riskLevel=critical&since=${encodeURIComponent('2026-03-01T09:00:02.000Z')}`]);
    expect(err).toContain('reconnecting in');
  });

  it('should give up with the auth code when the key is rejected', async () => {
    const ctx = new CommandContext({
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      env: { apiKey: 'k' },
      fetch: async () => new Response(JSON.stringify({ error: { status: 401, code: 'invalid_api_key', message: 'no' } }), { status: 401 }),
    });
    expect(await runCli(['tail'], ctx)).toBe(ExitCode.AuthFailed);
  });

  it('should skip control events and data that is not a JSON object', () => {
    expect(ledgerEventOf({ event: 'heartbeat', data: '{"t":1}' })).toBeUndefined();
    expect(ledgerEventOf({ event: 'message', data: 'ping' })).toBeUndefined();
    expect(ledgerEventOf({ event: 'ledger-event', data: '{"type":"action.failed"}' })).toEqual({ type: 'action.failed' });
  });
});
