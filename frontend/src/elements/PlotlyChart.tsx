// Plotly figures (a lazy chunk: plotly.js-dist-min, ~1.4 MB, loaded only when a plotly chart is
// on the page).
//
// CSP: plotly.js puts its CSS into a <style id="plotly.js-style-global"> it creates, which the
// page's `style-src 'self'` refuses. When an element with that id already exists, plotly writes
// its rules into that element's sheet through the CSSOM instead; `loadPlotly` gives it a
// same-origin, empty <link> stylesheet (plotly-sheet.css), whose CSSOM edits the CSP allows.
// Scripts: no eval on the paths used here (the bundle's `new Function` is a globalThis fallback
// never reached in browsers; its `eval` is in the map tiles worker, which map traces would need
// and which the CSP blocks). The mode bar is off by default: it writes per-chart <style> rules.
import { useContext, useEffect, useRef, useState } from "react";
import Plotly from "plotly.js-dist-min";
import type { PlotlyChart } from "../generated/protocol";
import { FormContext, useSession } from "../context";
import type { WidgetValue } from "../session";

type Json = { [key: string]: unknown };
type Figure = { data?: unknown[]; layout?: Json; frames?: unknown[] };

const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
const COLORWAY = ["#0068c9", "#83c9ff", "#ff2b2b", "#ffabab", "#29b09d", "#7defa1", "#ff8700", "#ffd16a", "#6d3fc0", "#d5dae5"];

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function plain(v: unknown): unknown {
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "string" || typeof v === "boolean" || v === null) return v;
  return v === undefined ? null : String(v);
}

/** plotly_selected -> the wire value: points and box ranges, flat enough for the protocol. */
function selectionValue(event: unknown, modes: readonly string[]): Json {
  const points: Json[] = [];
  const box: Json[] = [];
  if (isObject(event)) {
    for (const p of Array.isArray(event.points) ? (event.points as unknown[]) : []) {
      if (!isObject(p)) continue;
      const row: Json = {
        curve_number: plain(p.curveNumber),
        point_number: plain(p.pointNumber),
        point_index: plain(p.pointIndex),
      };
      for (const k of ["x", "y", "z", "lat", "lon", "label", "value"]) if (k in p) row[k] = plain(p[k]);
      points.push(row);
    }
    const range = event.range;
    if (modes.includes("box") && isObject(range)) {
      const xs = Array.isArray(range.x) ? range.x : [];
      const ys = Array.isArray(range.y) ? range.y : [];
      box.push({ x0: plain(xs[0]), x1: plain(xs[1]), y0: plain(ys[0]), y1: plain(ys[1]) });
    }
  }
  return { points, box };
}

export default function PlotlyChartView({ el }: { el: PlotlyChart }) {
  const holder = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  const session = useSession();
  const form = useContext(FormContext);
  const formId = el.form_id ?? form?.formId ?? null;

  useEffect(() => {
    const div = holder.current;
    if (!div) return;
    let cancelled = false;
    const fig = (isObject(el.figure) ? el.figure : {}) as Figure;
    const layout: Json = { ...(fig.layout ?? {}) };
    if (el.theme !== null) {
      layout.font = { family: FONT, ...(isObject(layout.font) ? layout.font : {}) };
      if (layout.colorway === undefined) layout.colorway = COLORWAY;
      if (layout.paper_bgcolor === undefined) layout.paper_bgcolor = "rgba(0,0,0,0)";
    }
    if (el.use_container_width !== false) layout.autosize = true;
    const config: Json = { displayModeBar: false, responsive: true, ...(isObject(el.config) ? el.config : {}) };
    const modes = el.selection_modes ?? [];
    if (el.id && modes.length && layout.dragmode === undefined) layout.dragmode = modes.includes("box") ? "select" : "lasso";
    Plotly.newPlot(div, (fig.data ?? []) as Plotly.Data[], layout as Partial<Plotly.Layout>, config as Partial<Plotly.Config>).then(
      () => {
        if (cancelled) return;
        div.dataset.rendered = "1";
        if (el.id) {
          const id = el.id;
          const gd = div as unknown as { on: (name: string, fn: (e: unknown) => void) => void };
          gd.on("plotly_selected", (e) => session.setWidget(id, selectionValue(e, modes) as WidgetValue, formId));
          gd.on("plotly_deselect", () => session.setWidget(id, { points: [], box: [] }, formId));
        }
      },
      (e: unknown) => !cancelled && setError(String(e)),
    );
    return () => {
      cancelled = true;
      Plotly.purge(div);
      delete div.dataset.rendered;
    };
  }, [el, session, formId]);

  return (
    <div className="chart plotly-chart" data-testid="stPlotlyChart">
      {error !== null ? <div className="chart-error">{`Chart error: ${error}`}</div> : null}
      <div className="plotly-holder" ref={holder} />
    </div>
  );
}
