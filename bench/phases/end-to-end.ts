import type { BenchContext } from '../lib/context';
import { runLoad, waitForDrain, type LoadRun, type LoadTarget } from '../lib/load';
import { cpuMeter, stackCpuMeter } from '../lib/resources';
import { round } from '../lib/stats';

export interface SustainedStep {
  rate: number;
  sustained: boolean;
  why: string;
  run: LoadRun;
}

export interface EndToEndResult {
  latency: Record<string, LoadRun>;
  p50MsAt1000: number;
  p95MsAt1000: number;
  p99MsAt1000: number;
  p50MsAt2000: number;
  p95MsAt2000: number;
  p99MsAt2000: number;
  p50MsAt5000: number;
  p95MsAt5000: number;
  p99MsAt5000: number;
  sustainedEventsPerSec: number;
  sustainedSeconds: number;
  criterion: string;
  steps: SustainedStep[];
  /** CPU seconds per 10,000 accepted events of each service over the whole phase (its loads and their drains). */
  cpuSecondsPer10kEvents: Record<string, number>;
  /** The same for every PostgreSQL process, the Kafka broker and Redis. */
  stackCpuSecondsPer10kEvents: Record<string, number>;
  /** The sum of both: what the whole pipeline costs per 10,000 events (the load generator excluded). */
  pipelineCpuSecondsPer10kEvents: number;
  eventsForCpu: number;
}

export const CRITERION =
  'every batch sent on schedule and answered 202; events accepted at >= 97% of the offered rate (counted until the last answer); ' +
  "the projector's lag (high watermarks − stored offsets, sampled every 0.5 s) below one second's worth of offered events at every sample of the window's second half";

function judge(run: LoadRun): { sustained: boolean; why: string } {
  const rate = run.offeredPerSec;
  if (run.requestsNotSent > 0) return { sustained: false, why: `${run.requestsNotSent} batches could not be sent (256 requests waiting)` };
  if (run.eventsRejected > 0) return { sustained: false, why: `${run.eventsRejected} events not accepted` };
  if (run.acceptedPerSec < 0.97 * rate) return { sustained: false, why: `accepted ${run.acceptedPerSec}/s < 97% of offered` };
  const secondHalf = run.lag.samples.filter((s) => s.t >= run.windowSeconds / 2 && s.t <= run.windowSeconds);
  const worst = Math.max(...secondHalf.map((s) => s.lag));
  if (!secondHalf.length || !Number.isFinite(worst)) return { sustained: false, why: 'no lag samples' };
  if (worst > rate) return { sustained: false, why: `consumer lag reached ${worst} in the second half` };
  return { sustained: true, why: `accepted in full, lag at most ${worst}` };
}

/**
 * POST-to-visible latency at fixed offered loads, then the highest rate the whole pipeline takes for
 * the window without its consumer lag growing: doubling from the ladder's first rate until a step
 * fails, then bisecting between the last sustained and the first failed rate.
 */
export async function endToEndPhase(ctx: BenchContext, target: LoadTarget): Promise<EndToEndResult> {
  const s = ctx.sizes.endToEnd;
  // CPU over the whole phase, from before the first load until the projector stored the last event:
  // a step whose backlog outlives its drain timeout is paid for before the next load, and counts too.
  await waitForDrain(target, s.drainTimeoutMs);
  const serviceCpu = cpuMeter(target.services);
  const stackCpu = stackCpuMeter();
  let cpuEvents = 0;
  const load = async (rate: number, seconds: number, probesPerSec: number) => {
    await waitForDrain(target, s.drainTimeoutMs);
    const run = await runLoad(target, { rate, seconds, batchSize: s.batchSize, probesPerSec, probeTimeoutMs: s.probeTimeoutMs, drainTimeoutMs: s.drainTimeoutMs });
    cpuEvents += run.eventsAccepted;
    return run;
  };

  const latency: Record<string, LoadRun> = {};
  for (const rate of s.loads) {
    const run = await load(rate, s.loadSeconds, s.probesPerSec);
    latency[String(rate)] = run;
    ctx.log(`  end-to-end at ${rate}/s: accepted ${run.acceptedPerSec}/s, visible p50 ${run.visibility.p50Ms} p95 ${run.visibility.p95Ms} p99 ${run.visibility.p99Ms} ms (${run.visibility.samples} probes, ${run.probeTimeouts} timeouts)`);
  }

  const steps: SustainedStep[] = [];
  const step = async (rate: number) => {
    const run = await load(rate, s.ladderSeconds, 0);
    const verdict = judge(run);
    steps.push({ rate, ...verdict, run });
    ctx.log(`  sustained ${rate}/s for ${s.ladderSeconds} s: ${verdict.sustained ? 'yes' : 'no'} (${verdict.why}; lag ${run.lag.start} → ${run.lag.end}, max ${run.lag.max})`);
    return verdict.sustained;
  };
  let best = 0;
  let failed = 0;
  for (const rate of s.ladder) {
    if (await step(rate)) best = rate;
    else {
      failed = rate;
      break;
    }
  }
  // Below the ladder: halve until a rate holds.
  for (let k = 0, rate = Math.round(s.ladder[0] / 2); k < s.stepsDown && !best && rate >= 250; k++, rate = Math.round(rate / 2)) {
    if (await step(rate)) best = rate;
    else failed = rate;
  }
  for (let i = 0; i < s.bisectSteps && failed && failed - best > 250; i++) {
    const mid = Math.round((best + failed) / 2 / 250) * 250;
    if (mid <= best || mid >= failed) break;
    if (await step(mid)) best = mid;
    else failed = mid;
  }

  await waitForDrain(target, s.drainTimeoutMs * 2);
  const cpuTotals = serviceCpu();
  const stackTotals = stackCpu();
  const per10k = (totals: Record<string, number>) => Object.fromEntries(Object.entries(totals).map(([name, v]) => [name, round((v / cpuEvents) * 10_000, 2)]));
  const at = (rate: number) => latency[String(rate)]?.visibility ?? { p50Ms: NaN, p95Ms: NaN, p99Ms: NaN };
  return {
    latency,
    p50MsAt1000: at(1_000).p50Ms,
    p95MsAt1000: at(1_000).p95Ms,
    p99MsAt1000: at(1_000).p99Ms,
    p50MsAt2000: at(2_000).p50Ms,
    p95MsAt2000: at(2_000).p95Ms,
    p99MsAt2000: at(2_000).p99Ms,
    p50MsAt5000: at(5_000).p50Ms,
    p95MsAt5000: at(5_000).p95Ms,
    p99MsAt5000: at(5_000).p99Ms,
    sustainedEventsPerSec: best,
    sustainedSeconds: s.ladderSeconds,
    criterion: CRITERION,
    steps,
    cpuSecondsPer10kEvents: per10k(cpuTotals),
    stackCpuSecondsPer10kEvents: per10k(stackTotals),
    pipelineCpuSecondsPer10kEvents: round(([...Object.values(cpuTotals), ...Object.values(stackTotals)].reduce((a, v) => a + v, 0) / cpuEvents) * 10_000, 2),
    eventsForCpu: cpuEvents,
  };
}
