export const PERIODS = [
  { id: '1h', label: 'Last hour', ms: 3_600_000 },
  { id: '24h', label: 'Last 24 hours', ms: 86_400_000 },
  { id: '7d', label: 'Last 7 days', ms: 7 * 86_400_000 },
  { id: '30d', label: 'Last 30 days', ms: 30 * 86_400_000 },
  { id: '90d', label: 'Last 90 days', ms: 90 * 86_400_000 },
] as const;

export type PeriodId = (typeof PERIODS)[number]['id'];

export function periodOf(id: string | null): (typeof PERIODS)[number] {
  return PERIODS.find((p) => p.id === id) ?? PERIODS[1];
}

/** The period's window ending now, as RFC 3339 instants. */
export function windowOf(id: string | null, now = Date.now()): { from: string; to: string } {
  return { from: new Date(now - periodOf(id).ms).toISOString(), to: new Date(now).toISOString() };
}
