import { Writable } from 'node:stream';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createLogger, rootLogger } from './logger';
import { startTelemetry, stopTelemetry, withSpan } from './tracing';

/** A logger writing to memory; returns the parsed lines written so far. */
function capture(): () => Record<string, unknown>[] {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  rootLogger({ service: 'logger-trace-spec', level: 'info', destination: sink });
  return () => lines.join('').trim().split('\n').map((l) => JSON.parse(l));
}

describe('log lines and traces', () => {
  const exporter = new InMemorySpanExporter();
  beforeAll(() => startTelemetry('logger-trace-spec', [new SimpleSpanProcessor(exporter)]));
  afterAll(() => stopTelemetry());

  it('should carry the active span trace_id and span_id when a line is written inside a span', async () => {
    const lines = capture();
    const log = createLogger('Spec');
    await withSpan('work', async () => {
      await new Promise((r) => setImmediate(r));
      log.info({ step: 1 }, 'inside');
    });
    log.info('outside');

    const span = exporter.getFinishedSpans().find((s) => s.name === 'work')!;
    const [inside, outside] = lines();
    expect(inside).toMatchObject({ msg: 'inside', trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId, trace_flags: '01' });
    expect(outside.msg).toBe('outside');
    expect(outside).not.toHaveProperty('trace_id');
    expect(outside).not.toHaveProperty('span_id');
  });
});
