// Charts: uPlot for time series (canvas, ~23 KB gzipped), plain HTML bars for counts by category.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

export interface TimeSeries {
  /** Unix seconds. */
  x: number[];
  series: { label: string; values: number[] }[];
}

export function TimeChart({ data, testid, height = 240 }: { data: TimeSeries; testid: string; height?: number }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const target = el.current;
    if (!target) return;
    const bars = uPlot.paths.bars?.({ size: [0.8, 40] });
    const plot = new uPlot(
      {
        width: Math.max(320, target.clientWidth || 720),
        height,
        scales: { x: { time: true } },
        axes: [{}, { label: 'issuances / hour' }],
        series: [
          {},
          ...data.series.map((s, i) => ({
            label: s.label,
            stroke: PALETTE[i % PALETTE.length],
            fill: `${PALETTE[i % PALETTE.length]}55`,
            paths: bars,
            points: { show: false },
          })),
        ],
      },
      [data.x, ...data.series.map((s) => s.values)],
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
