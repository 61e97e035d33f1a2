// A uPlot time-series chart, sized to its container (and again when the container is resized).
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const DAY = 86_400;
const dayFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
const dayLabel = (seconds: number) => dayFormat.format(new Date(seconds * 1000));

export interface Series {
  label: string;
  color: string;
  values: (number | null)[];
  /** Dashed: a threshold, not data. */
  dash?: boolean;
}

export function Chart({
  days,
  series,
  height = 220,
  format,
  label,
}: {
  /** Unix seconds of each day (x). */
  days: number[];
  series: Series[];
  height?: number;
  format?: (value: number) => string;
  /** For screen readers: what the chart shows. */
  label: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const plot = new uPlot(
      {
        width: element.clientWidth || 600,
        height,
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true } },
        axes: [
          {
            stroke: 'currentColor',
            grid: { stroke: 'rgba(128,128,128,0.15)' },
            // Whole days only: the API counts per UTC day.
            incrs: [DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY],
            values: (_u: uPlot, ticks: number[]) => ticks.map(dayLabel),
          },
          {
            stroke: 'currentColor',
            grid: { stroke: 'rgba(128,128,128,0.15)' },
            size: 60,
            ...(format ? { values: (_u: uPlot, ticks: number[]) => ticks.map(format) } : {}),
          },
        ],
        series: [
          { label: 'Day', value: (_u: uPlot, v: number | null) => (v === null ? '—' : dayLabel(v)) },
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: s.dash ? 1 : 2,
            ...(s.dash ? { dash: [6, 4], points: { show: false } } : {}),
            ...(format ? { value: (_u: uPlot, v: number | null) => (v === null ? '—' : format(v)) } : {}),
          })),
        ],
      },
      [days, ...series.map((s) => s.values)],
      element,
    );
    const observer = new ResizeObserver(() => plot.setSize({ width: element.clientWidth, height }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [days, series, height, format]);
  return <div class="chart" ref={box} role="img" aria-label={label} />;
}
