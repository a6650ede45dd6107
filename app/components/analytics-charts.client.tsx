// One chart of the analytics dashboard (@shopify/polaris-viz). Client-only (.client.tsx, its own
// chunk): the charts measure their container, which the server can't, so app.analytics.tsx renders
// a placeholder of the same size on the server and on the first client render, then loads this.
import { BarChart, FunnelChart, LineChart, PolarisVizProvider } from "@shopify/polaris-viz";
import type { DataSeries } from "@shopify/polaris-viz";

export interface ChartSpec {
  id: string;
  kind: "line" | "bar" | "funnel";
  series: DataSeries[];
}

export interface ChartProps {
  spec: ChartSpec;
  /** formats an x-axis key (a date) */
  formatKey: (key: string) => string;
  formatNumber: (n: number) => string;
}

export default function AnalyticsChart({ spec, formatKey, formatNumber }: ChartProps) {
  const x = { labelFormatter: (v: string | number | null) => formatKey(String(v ?? "")) };
  const y = { labelFormatter: (v: string | number | null) => formatNumber(Number(v ?? 0)) };
  return (
    <PolarisVizProvider>
      {spec.kind === "line" ? (
        <LineChart theme="Light" data={spec.series} isAnimated={false} xAxisOptions={x} yAxisOptions={y} />
      ) : spec.kind === "bar" ? (
        <BarChart theme="Light" data={spec.series} isAnimated={false} xAxisOptions={x} yAxisOptions={y} />
      ) : (
        <FunnelChart theme="Light" data={spec.series} isAnimated={false} yAxisOptions={y} />
      )}
    </PolarisVizProvider>
  );
}
