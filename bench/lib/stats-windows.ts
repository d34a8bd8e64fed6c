const HOUR_MS = 3_600_000;

/**
 * The windows `GET /v1/stats` is timed over, inside the data set's range [lo, hi]: the statistics must
 * be fast for any window, not only for ranges that fall on hour boundaries.
 */
export function statsWindows(lo: number, hi: number): { name: string; from: number; to: number }[] {
  const floorHour = (t: number) => Math.floor(t / HOUR_MS) * HOUR_MS;
  const unalignedFrom = Math.max(floorHour(lo), floorHour(hi - 2 * 24 * HOUR_MS)) + 23 * 60_000;
  const hourFrom = Math.max(floorHour(lo), floorHour(hi - 24 * HOUR_MS));
  return [
    { name: 'whole range', from: lo - 1_000, to: hi + 1_000 },
    { name: 'last 24 h', from: hi + 1_000 - 24 * HOUR_MS, to: hi + 1_000 },
    { name: '3 h 17 min from :23', from: unalignedFrom, to: unalignedFrom + 3 * HOUR_MS + 17 * 60_000 },
    { name: 'one hour', from: hourFrom, to: hourFrom + HOUR_MS },
  ];
}
