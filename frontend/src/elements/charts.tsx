// Chart elements. The drawing libraries (Vega + Vega-Lite, Plotly) are heavy, so each loads as its
// own chunk the first time a chart of that kind is on the page; the eager bundle holds only these
// wrappers. Server-rendered images (st.pyplot) need no library at all.
import { Component, type ReactNode } from "react";
import type { ChartImage, PlotlyChart, VegaLiteChart } from "../generated/protocol";
import plotlySheetUrl from "./plotly-sheet.css?url";
import { lazyView } from "../lazyView";

const VegaChart = lazyView(() => import("./VegaChart"), <Loading />);
const PlotlyView = lazyView(async () => {
  await plotlySheet();
  return import("./PlotlyChart");
}, <Loading />);

/** The stylesheet plotly.js fills through the CSSOM (see PlotlyChart.tsx); it must exist before
 *  plotly's module runs, as plotly adds its rules when it loads. */
function plotlySheet(): Promise<void> {
  // The bundle also injects maplibre's CSS (map traces) as a <style> unless an element with this
  // id exists; map traces need remote tiles the CSP refuses anyway, so mark it present. The id is
  // a hash of that CSS: the e2e test's "no CSP violation" check catches a plotly.js upgrade.
  const maplibre = "ce8d464691048653ffe3a57c6c18ab566e8366f186677868cf724621a857b4fe";
  if (!document.getElementById(maplibre)) {
    const marker = document.createElement("meta");
    marker.id = maplibre;
    document.head.appendChild(marker);
  }
  const id = "plotly.js-style-global";
  const existing = document.getElementById(id);
  if (existing) return Promise.resolve();
  return new Promise((resolve) => {
    const link = document.createElement("link");
    link.id = id;
    link.rel = "stylesheet";
    link.href = plotlySheetUrl;
    link.onload = () => resolve();
    link.onerror = () => resolve(); // plotly then warns and draws unstyled; the chart still works
    document.head.appendChild(link);
  });
}

/** A chart that fails to load or draw shows why, as text, instead of taking the page down. */
class ChartBoundary extends Component<{ children: ReactNode }, { error: string | null }> {
  override state = { error: null as string | null };
  static getDerivedStateFromError(error: unknown) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
  override render() {
    if (this.state.error !== null) {
      return (
        <div className="chart-error" data-testid="stChartError">
          {`Chart error: ${this.state.error}`}
        </div>
      );
    }
    return this.props.children;
  }
}

function Loading() {
  return <div className="chart-loading" data-testid="stChartLoading" />;
}

/** A chart from a lazy chunk (a placeholder while it loads): its error as text if it fails. */
function LazyChart({ children }: { children: ReactNode }) {
  return <ChartBoundary>{children}</ChartBoundary>;
}

export function VegaLiteChartView({ el }: { el: VegaLiteChart }) {
  return (
    <LazyChart>
      <VegaChart el={el} />
    </LazyChart>
  );
}

export function PlotlyChartView({ el }: { el: PlotlyChart }) {
  return (
    <LazyChart>
      <PlotlyView el={el} />
    </LazyChart>
  );
}

export function ChartImageView({ el }: { el: ChartImage }) {
  return (
    <div className="chart-image" data-testid="stImage">
      <img
        src={el.src}
        alt={el.alt ?? ""}
        className={el.use_container_width === false ? "" : "fit"}
        ref={(img) => {
          if (img && el.width) img.style.setProperty("width", `${el.width}px`);
        }}
      />
    </div>
  );
}
