import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One Prometheus registry per process, with Node's default metrics. */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

const counters = new Map<string, Counter<string>>();
const histograms = new Map<string, Histogram<string>>();
const gauges = new Map<string, Gauge<string>>();

export function counter(name: string, help: string, labelNames: string[] = []): Counter<string> {
  let c = counters.get(name);
  if (!c) {
    c = new Counter({ name, help, labelNames, registers: [metricsRegistry] });
    counters.set(name, c);
  }
  return c;
}

export function histogram(name: string, help: string, labelNames: string[] = [], buckets?: number[]): Histogram<string> {
  let h = histograms.get(name);
  if (!h) {
    h = new Histogram({ name, help, labelNames, buckets, registers: [metricsRegistry] });
    histograms.set(name, h);
  }
  return h;
}

export function gauge(name: string, help: string, labelNames: string[] = []): Gauge<string> {
  let g = gauges.get(name);
  if (!g) {
    g = new Gauge({ name, help, labelNames, registers: [metricsRegistry] });
    gauges.set(name, g);
  }
  return g;
}

/**
 * A gauge whose value is read when the registry is scraped (`collect`, e.g. a count in PostgreSQL):
 * right at every scrape, at no cost between scrapes. A failing `collect` leaves the last value.
 */
export function collectedGauge(name: string, help: string, collect: () => Promise<number>): Gauge<string> {
  let g = gauges.get(name);
  if (!g) {
    g = new Gauge({
      name,
      help,
      registers: [metricsRegistry],
      async collect() {
        try {
          this.set(await collect());
        } catch {
          // The last value stays; the collector logs its own failure.
        }
      },
    });
    gauges.set(name, g);
  }
  return g;
}
