// The data a time chart draws (charts.tsx), apart from uPlot so it can be built and tested anywhere.
export interface TimeSeries {
  /** Unix seconds. */
  x: number[];
  series: { label: string; values: number[] }[];
}
