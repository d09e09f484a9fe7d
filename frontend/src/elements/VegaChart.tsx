// Vega-Lite charts (a lazy chunk: vega + vega-lite + vega-interpreter + vega-tooltip).
//
// CSP: the page forbids eval. Vega normally compiles expressions into JavaScript with
// `new Function`; here the spec is parsed with `ast: true` and evaluated by vega-interpreter, so no
// code is ever generated. Tooltips go through vega-tooltip, which escapes every value it shows
// (its default `sanitize`); its <style> injection is off (the CSP forbids inline styles) and its
// look comes from styles.css. The loader refuses every URL: a chart's data arrives inline.
import { useContext, useEffect, useRef, useState } from "react";
import { parse, View, loader as vegaLoader, type Spec } from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { expressionInterpreter } from "vega-interpreter";
import { Handler } from "vega-tooltip";
import type { VegaLiteChart } from "../generated/protocol";
import { datasetRows } from "./chartData";
import { FormContext, useSession } from "../context";
import type { WidgetValue } from "../session";

type Json = { [key: string]: unknown };

/** Bastion's chart theme (`theme="streamlit"`): the spec's own config wins over it. */
const THEME: Json = {
  font: "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
  background: null,
  view: { stroke: null },
  axis: { labelColor: "#31333f", titleColor: "#31333f", gridColor: "#e6eaf1", domainColor: "#cbd1dc", tickColor: "#cbd1dc", labelFontSize: 12, titleFontSize: 12, titleFontWeight: 400 },
  legend: { labelColor: "#31333f", titleColor: "#31333f", labelFontSize: 12, titleFontSize: 12 },
  title: { color: "#31333f", fontSize: 16, anchor: "start" },
  range: {
    category: ["#0068c9", "#83c9ff", "#ff2b2b", "#ffabab", "#29b09d", "#7defa1", "#ff8700", "#ffd16a", "#6d3fc0", "#d5dae5"],
  },
  line: { strokeWidth: 2 },
  mark: { color: "#0068c9" },
};

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function merge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isObject(b) && isObject(v) ? merge(b, v) : v;
  }
  return out;
}

interface SelectionInfo {
  name: string;
  interval: boolean;
}

/** The spec's selection parameters (top level and nested views), with their kind. */
function selections(spec: Json): SelectionInfo[] {
  const out: SelectionInfo[] = [];
  const walk = (node: unknown) => {
    if (!isObject(node)) return;
    for (const p of (Array.isArray(node.params) ? node.params : []) as unknown[]) {
      if (!isObject(p) || typeof p.name !== "string" || p.select === undefined) continue;
      const sel = p.select;
      const type = typeof sel === "string" ? sel : isObject(sel) ? sel.type : undefined;
      if (!out.some((s) => s.name === p.name)) out.push({ name: p.name, interval: type === "interval" });
    }
    for (const key of ["layer", "hconcat", "vconcat", "concat", "spec"]) {
      const child = node[key];
      if (Array.isArray(child)) child.forEach(walk);
      else walk(child);
    }
  };
  walk(spec);
  return out;
}

function plain(v: unknown): unknown {
  if (v instanceof Date) return v.getTime();
  if (typeof v === "number" && !Number.isFinite(v)) return null;
  if (v === undefined) return null;
  if (typeof v === "object" && v !== null) return String(v);
  return v;
}

/** The wire value of one selection: an interval's ranges, or a point selection's rows. */
function selectionValue(view: View, sel: SelectionInfo): unknown {
  if (sel.interval) {
    const signal = view.signal(sel.name) as unknown;
    if (!isObject(signal)) return {};
    const out: Json = {};
    for (const [field, values] of Object.entries(signal)) {
      if (Array.isArray(values)) out[field] = values.map(plain);
    }
    return out;
  }
  let store: unknown[] = [];
  try {
    store = view.data(`${sel.name}_store`) as unknown[];
  } catch {
    return [];
  }
  return store.map((tuple) => {
    const row: Json = {};
    if (!isObject(tuple) || !Array.isArray(tuple.fields) || !Array.isArray(tuple.values)) return row;
    tuple.fields.forEach((f: unknown, i: number) => {
      const name = isObject(f) && typeof f.field === "string" ? f.field : String(i);
      row[name] = plain((tuple.values as unknown[])[i]);
    });
    return row;
  });
}

/** Mark items drawn, for tests and for the "empty chart" case. */
function countItems(node: unknown): number {
  if (!isObject(node)) return 0;
  const items = Array.isArray(node.items) ? node.items : [];
  if (node.marktype && node.marktype !== "group") return items.length;
  return items.reduce((n: number, item: unknown) => n + countItems(item), 0);
}

const refuse = () => Promise.reject(new Error("charts load no data by URL"));
const noNetwork = Object.assign(vegaLoader(), { load: refuse, sanitize: refuse, http: refuse, file: refuse });

export default function VegaChart({ el }: { el: VegaLiteChart }) {
  const holder = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  const session = useSession();
  const form = useContext(FormContext);
  const formId = el.form_id ?? form?.formId ?? null;

  useEffect(() => {
    const container = holder.current;
    if (!container) return;
    let view: View | null = null;
    let timer: number | undefined;
    let cancelled = false;
    try {
      const spec = { ...(el.spec as Json) };
      if (el.datasets?.length) {
        const datasets: Json = { ...(isObject(spec.datasets) ? spec.datasets : {}) };
        for (const ds of el.datasets) datasets[ds.name] = datasetRows(ds);
        spec.datasets = datasets;
      }
      const single = "mark" in spec || "layer" in spec;
      if (el.use_container_width !== false && single && spec.width === undefined) spec.width = "container";
      if (el.theme !== null) spec.config = merge(THEME, isObject(spec.config) ? spec.config : {});
      const vg = compile(spec as unknown as TopLevelSpec).spec as Spec;
      const runtime = parse(vg, undefined, { ast: true });
      const tooltip = new Handler({ disableDefaultStyle: true, theme: "light" });
      view = new View(runtime, {
        expr: expressionInterpreter,
        renderer: "canvas",
        container,
        hover: true,
        tooltip: tooltip.call,
        loader: noNetwork,
      });
      const v = view;
      if (el.id) {
        const chartId = el.id;
        const wanted = new Set(el.selection_params ?? []);
        const sels = selections(spec).filter((s) => wanted.has(s.name));
        let last = "";
        const report = () => {
          window.clearTimeout(timer);
          timer = window.setTimeout(() => {
            if (cancelled) return;
            const value: Json = {};
            for (const s of sels) value[s.name] = selectionValue(v, s);
            const text = JSON.stringify(value);
            if (text === last) return;
            last = text;
            session.setWidget(chartId, value as WidgetValue, formId);
          }, 150);
        };
        for (const s of sels) {
          try {
            v.addSignalListener(s.name, report);
          } catch {
            /* a selection compiled away (e.g. bound to scales): nothing to report */
          }
        }
        last = JSON.stringify(Object.fromEntries(sels.map((s) => [s.name, s.interval ? {} : []])));
      }
      v.runAsync().then(
        () => {
          if (cancelled) return;
          container.dataset.rendered = "1";
          container.dataset.marks = String(countItems((v.scenegraph() as unknown as { root: unknown }).root));
        },
        (e: unknown) => !cancelled && setError(String(e)),
      );
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
    return () => {
      cancelled = true;
      window.clearTimeout(timer);
      view?.finalize();
      delete container.dataset.rendered;
    };
  }, [el, session, formId]);

  return (
    <div className="chart vega-chart" data-testid="stVegaLiteChart" data-kind={el.kind ?? undefined}>
      {error !== null ? <div className="chart-error">{`Chart error: ${error}`}</div> : null}
      <div className="vega-holder" ref={holder} />
    </div>
  );
}
