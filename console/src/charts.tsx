// Charts: uPlot for time series (canvas, ~23 KB gzipped), plain HTML bars for counts by category.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { TimeSeries } from './charts-data';

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

export function TimeChart({ data, testid, height = 240 }: { data: TimeSeries; testid: string; height?: number }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const target = el.current;
    if (!target) return;
    const bars = uPlot.paths.bars?.({ size: [0.8, 40] });
    // Stacked: series i is drawn at the sum of series 0..i, tallest first so each stays visible; the
    // legend shows each series' own count.
    const stacked = data.series.map((_, i) =>
      data.x.map((_, slot) => data.series.slice(0, i + 1).reduce((n, s) => n + (s.values[slot] ?? 0), 0)),
    );
    const order = data.series.map((series, i) => ({ series, i, stacked: stacked[i] ?? [] })).reverse();
    const plot = new uPlot(
      {
        width: Math.max(320, target.clientWidth || 720),
        height,
        scales: { x: { time: true } },
        axes: [{}, { label: 'issuances / hour' }],
        series: [
          {},
          ...order.map(({ series, i }) => ({
            label: series.label,
            stroke: PALETTE[i % PALETTE.length],
            fill: `${PALETTE[i % PALETTE.length]}aa`,
            paths: bars,
            points: { show: false },
            value: (_u: uPlot, _v: number | null, _si: number, slot: number | null) =>
              slot === null ? '--' : String(series.values[slot] ?? 0),
          })),
        ],
      },
      [data.x, ...order.map((o) => o.stacked)],
      target,
    );
    return () => plot.destroy();
  }, [data, height]);
  return <div class="chart" ref={el} data-testid={testid} data-series={data.series.length} />;
}

export function Bars({ counts, testid }: { counts: Record<string, number>; testid: string }) {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  const max = Math.max(1, ...entries.map(([, n]) => n));
  return (
    <div class="bars" data-testid={testid} data-bars={entries.length}>
      {entries.map(([label, n], i) => (
        <div class="bar-row">
          <span class="bar-label">{label}</span>
          <span class="bar" style={{ width: `${(n / max) * 60}%`, background: PALETTE[i % PALETTE.length] }} />
          <span class="bar-value">{n}</span>
        </div>
      ))}
    </div>
  );
}
