import { ApiError } from '@agent-ledger/runtime';
import { LiveStreams } from './live-streams';

function refusal(fn: () => unknown): ApiError | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err as ApiError;
  }
}

describe(LiveStreams.name, () => {
  it('should refuse a tenant its next stream with 429 too_many_streams when it has the most allowed open, and take one again when one closes', () => {
    const streams = new LiveStreams({ maxStreamsPerTenant: 2, maxStreams: 10, maxReplayHours: 24 });
    const close = streams.add('t1', () => undefined);
    streams.add('t1', () => undefined);
    const err = refusal(() => streams.add('t1', () => undefined));
    expect(err).toMatchObject({ status: 429, code: 'too_many_streams', headers: { 'Retry-After': '5' } });
    expect(refusal(() => streams.add('t2', () => undefined))).toBeUndefined();
    close();
    close();
    expect(refusal(() => streams.add('t1', () => undefined))).toBeUndefined();
    expect(refusal(() => streams.add('t1', () => undefined))?.code).toBe('too_many_streams');
  });

  it('should refuse any tenant when the process has the most streams allowed open', () => {
    const streams = new LiveStreams({ maxStreamsPerTenant: 5, maxStreams: 2, maxReplayHours: 24 });
    streams.add('a', () => undefined);
    streams.add('b', () => undefined);
    expect(refusal(() => streams.add('c', () => undefined))?.code).toBe('too_many_streams');
  });

  it('should end every open stream when the service shuts down', () => {
    const streams = new LiveStreams({ maxStreamsPerTenant: 5, maxStreams: 5, maxReplayHours: 24 });
    const stopped: string[] = [];
    streams.add('a', () => stopped.push('a'));
    streams.add('b', () => stopped.push('b'));
    streams.onApplicationShutdown();
    expect(stopped.sort()).toEqual(['a', 'b']);
  });
});
