/**
 * Monitor charts: a tiny SVG sparkline for lists (no library, dozens per page) and a uPlot chart of
 * p50/p95 response time per region for a monitor's page (bundled locally, no CDN).
 */
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import type { MonitorStats } from "../../../shared/schemas/monitors";

interface SparkPoint {
  value: number | null;
  failed: boolean;
}

/** Response-time sparkline, newest on the right; failed runs are red dots. */
export function Sparkline(props: { points: SparkPoint[]; label: string; width?: number; height?: number }) {
  const width = props.width ?? 120;
  const height = props.height ?? 28;
  const values = props.points.map((p) => p.value).filter((v): v is number => v !== null);
  if (props.points.length === 0) return <span class="muted">no runs yet</span>;
  const max = Math.max(...values, 1);
  const step = props.points.length > 1 ? (width - 4) / (props.points.length - 1) : 0;
  const xy = props.points.map((p, i) => ({
    x: 2 + i * step,
    y: p.value === null ? height - 2 : height - 2 - (p.value / max) * (height - 4),
    failed: p.failed,
  }));
  return (
    <svg
      class="spark"
      width={width}
      height={height}
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={props.label}
    >
      <polyline
        points={xy.map((p) => `${p.x},${p.y}`).join(" ")}
        fill="none"
        stroke="#5d6679"
        stroke-width="1.5"
      />
      {xy.map((p) =>
        p.failed ? <circle key={p.x} class="failed" cx={p.x} cy={p.y} r="2.5" fill="#b42318" /> : null,
      )}
    </svg>
  );
}

const PALETTE = ["#2563eb", "#f26b3a", "#13795b", "#9333ea", "#b42318", "#0e7490", "#a16207", "#4b5563"];

/** Aligns the stats series into uPlot's columns: one x axis, p50 and p95 per region. */
function toColumns(stats: MonitorStats): { data: uPlot.AlignedData; series: uPlot.Series[] } {
  const times = [...new Set(stats.series.map((s) => Date.parse(s.t) / 1000))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const regions = [...new Set(stats.series.map((s) => s.region))].sort();
  const columns: Array<Array<number | null>> = [];
  const series: uPlot.Series[] = [{}];
  regions.forEach((region, r) => {
    const p50 = new Array<number | null>(times.length).fill(null);
    const p95 = new Array<number | null>(times.length).fill(null);
    for (const s of stats.series) {
      if (s.region !== region) continue;
      const i = index.get(Date.parse(s.t) / 1000)!;
      p50[i] = s.p50;
      p95[i] = s.p95;
    }
    const color = PALETTE[r % PALETTE.length]!;
    columns.push(p50, p95);
    series.push(
      {
        label: `${region} p50`,
        stroke: color,
        width: 2,
        spanGaps: true,
        value: (_u, v) => (v == null ? "–" : `${Math.round(v)} ms`),
      },
      {
        label: `${region} p95`,
        stroke: color,
        width: 1,
        dash: [4, 4],
        spanGaps: true,
        value: (_u, v) => (v == null ? "–" : `${Math.round(v)} ms`),
      },
    );
  });
  return { data: [times, ...columns] as uPlot.AlignedData, series };
}

const WINDOW_SECONDS: Record<MonitorStats["window"], number> = {
  "24h": 86_400,
  "7d": 604_800,
  "30d": 2_592_000,
};

function windowRange(window: MonitorStats["window"]): uPlot.Range.MinMax {
  const now = Date.now() / 1000;
  return [now - WINDOW_SECONDS[window], now];
}

/** p50/p95 response time per region over the chosen window. */
export function ResponseTimeChart(props: { stats: MonitorStats }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el || props.stats.series.length === 0) return;
    const { data, series } = toColumns(props.stats);
    const plot = new uPlot(
      {
        width: Math.max(el.clientWidth, 280),
        height: 240,
        series,
        // The whole window, not just the span of the data (one run would otherwise stretch over years).
        scales: { x: { time: true, range: () => windowRange(props.stats.window) } },
        axes: [{}, { label: "ms", values: (_u, ticks) => ticks.map((t) => `${t}`) }],
        legend: { live: true },
      },
      data,
      el,
    );
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(el.clientWidth, 280), height: 240 }),
    );
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [props.stats]);
  if (props.stats.series.length === 0) return <p class="muted">No runs in this window yet.</p>;
  return (
    <div
      ref={ref}
      class="chart"
      role="img"
      aria-label={`Response time p50 and p95 per region, ${props.stats.window}`}
    />
  );
}
