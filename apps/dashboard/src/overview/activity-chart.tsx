import { useEffect, useRef, useState } from 'react';
import { formatBucket } from '../shared/format';
import { describeSeries, labelIndexes, niceScale, type SeriesPoint } from './chart-geometry';

const HEIGHT = 220;
const PAD = { top: 12, right: 12, bottom: 28, left: 40 };

/**
 * Actions and failures per interval: hand-rolled SVG bars (see docs/dashboard.md for why no chart
 * library), drawn at the container's real width so labels keep their size on a phone, with the same
 * numbers as a table for screen readers and keyboard users.
 */
export function ActivityChart({ points, bucket }: { points: SeriesPoint[]; bucket: string }) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(720);

  useEffect(() => {
    const el = box.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver((entries) => {
      const w = Math.floor(entries[0]?.contentRect.width ?? 0);
      if (w > 0) setWidth(w);
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const label = (t: string) => formatBucket(t, bucket);
  const { max, ticks } = niceScale(Math.max(0, ...points.map((p) => p.actions)));
  const plotW = Math.max(10, width - PAD.left - PAD.right);
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = points.length ? plotW / points.length : plotW;
  const barW = Math.max(1, Math.min(28, slot * 0.8));
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const labels = new Set(labelIndexes(points.length, Math.max(2, Math.floor(plotW / 70))));
  const description = describeSeries(points, label);

  return (
    <figure className="chart" aria-labelledby="activity-title">
      <figcaption id="activity-title">
        Actions and failures over time <span className="muted">(per {bucket})</span>
      </figcaption>
      <ul className="legend" aria-hidden="true">
        <li>
          <span className="swatch swatch-actions" /> Actions
        </li>
        <li>
          <span className="swatch swatch-failed" /> Failed
        </li>
      </ul>
      <div ref={box} className="chart-box">
        <svg width={width} height={HEIGHT} role="img" aria-labelledby="activity-svg-title activity-svg-desc" data-testid="activity-chart">
          <title id="activity-svg-title">Actions and failures per {bucket}</title>
          <desc id="activity-svg-desc">{description}</desc>
          {ticks.map((t) => (
            <g key={t}>
              <line className="grid" x1={PAD.left} x2={PAD.left + plotW} y1={y(t)} y2={y(t)} />
              <text className="axis" x={PAD.left - 6} y={y(t) + 4} textAnchor="end">
                {t}
              </text>
            </g>
          ))}
          {points.map((p, i) => {
            const x = PAD.left + i * slot + (slot - barW) / 2;
            return (
              <g key={p.t}>
                <rect className="bar-actions" x={x} width={barW} y={y(p.actions)} height={Math.max(0, y(0) - y(p.actions))}>
                  <title>{`${label(p.t)}: ${p.actions} actions, ${p.failed} failed`}</title>
                </rect>
                {p.failed > 0 && <rect className="bar-failed" x={x} width={barW} y={y(p.failed)} height={Math.max(1, y(0) - y(p.failed))} />}
                {labels.has(i) && (
                  <text className="axis" x={x + barW / 2} y={HEIGHT - 8} textAnchor="middle">
                    {label(p.t)}
                  </text>
                )}
              </g>
            );
          })}
          <line className="axis-line" x1={PAD.left} x2={PAD.left + plotW} y1={y(0)} y2={y(0)} />
        </svg>
      </div>
      <details className="chart-data">
        <summary>Show the chart's numbers as a table</summary>
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Chart data">
          <table>
            <thead>
              <tr>
                <th scope="col">Interval start</th>
                <th scope="col">Actions</th>
                <th scope="col">Executed</th>
                <th scope="col">Failed</th>
              </tr>
            </thead>
            <tbody>
              {points
                .filter((p) => p.actions > 0)
                .map((p) => (
                  <tr key={p.t}>
                    <td>{label(p.t)}</td>
                    <td>{p.actions}</td>
                    <td>{p.executed}</td>
                    <td>{p.failed}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
