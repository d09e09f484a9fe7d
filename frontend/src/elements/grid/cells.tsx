// How one cell shows, by column kind. Every value is inserted as text (never HTML); links and
// images only for safe schemes.
import type { ReactNode } from "react";
import type { DataColumn } from "../../generated/protocol";
import { formatNumber } from "../format";
import type { Cell } from "./chunks";

const LINK = /^(https?:|mailto:)/i;
const IMAGE = /^(https?:\/\/|data:image\/(png|jpeg|gif|webp);base64,)/i;

export function safeLink(url: string): boolean {
  return LINK.test(url.trim());
}

export function safeImage(url: string): boolean {
  return IMAGE.test(url.trim());
}

export function cellText(col: DataColumn, v: Cell): string {
  if (v === null) return "";
  if (typeof v === "number") {
    if (col.format) return formatNumber(v, col.format, col.integer ? "int" : "float");
    if (col.kind === "progress" && (col.max ?? 100) <= 1) return `${Math.round(v * 100)}%`;
    return col.integer ? String(v) : String(Number(v.toPrecision(12)));
  }
  if (typeof v === "boolean") return v ? "true" : "false";
  if (col.kind === "datetime") return v.replace("T", " ");
  if (col.kind === "list") {
    const items = parseJson(v);
    return Array.isArray(items) ? items.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join(", ") : v;
  }
  return v;
}

function parseJson(v: string): unknown {
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return null;
  }
}

function numbers(v: Cell): number[] {
  if (typeof v !== "string") return [];
  const items = parseJson(v);
  return Array.isArray(items) ? items.filter((x): x is number => typeof x === "number" && Number.isFinite(x)) : [];
}

function Sparkline({ col, v }: { col: DataColumn; v: Cell }) {
  const ys = numbers(v);
  if (ys.length === 0) return null;
  const lo = col.min ?? Math.min(...ys, 0);
  const hi = col.max ?? Math.max(...ys);
  const span = hi - lo || 1;
  const w = 100;
  const h = 24;
  const x = (i: number) => (ys.length === 1 ? w / 2 : (i / (ys.length - 1)) * w);
  const y = (val: number) => h - ((Math.min(Math.max(val, lo), hi) - lo) / span) * h;
  if (col.kind === "bar_chart") {
    const bw = w / ys.length;
    return (
      <svg className="spark" viewBox={`0 0 ${w} ${h}`} preserveAspectRatio="none">
        {ys.map((val, i) => (
          <rect key={i} x={i * bw + bw * 0.1} width={bw * 0.8} y={y(val)} height={h - y(val)} />
        ))}
      </svg>
    );
  }
  const points = ys.map((val, i) => `${x(i)},${y(val)}`).join(" ");
  return (
    <svg className="spark" viewBox={`0 0 ${w} ${h}`} preserveAspectRatio="none">
      {col.kind === "area_chart" ? <polygon className="area" points={`0,${h} ${points} ${w},${h}`} /> : null}
      <polyline points={points} />
    </svg>
  );
}

export function CellView({ col, v }: { col: DataColumn; v: Cell }): ReactNode {
  if (v === null) return null;
  switch (col.kind) {
    case "checkbox":
      return <input type="checkbox" checked={v === true} readOnly tabIndex={-1} aria-label={String(v)} />;
    case "link": {
      const url = String(v);
      if (!safeLink(url)) return url;
      return (
        <a href={url} target="_blank" rel="noopener noreferrer nofollow">
          {col.display_text ?? url}
        </a>
      );
    }
    case "image": {
      const url = String(v);
      return safeImage(url) ? <img className="cell-image" src={url} alt="" referrerPolicy="no-referrer" /> : url;
    }
    case "progress": {
      const lo = col.min ?? 0;
      const hi = col.max ?? 100;
      const n = typeof v === "number" ? v : Number(v);
      const pct = Math.max(0, Math.min(100, ((n - lo) / (hi - lo || 1)) * 100));
      return (
        <span className="cell-progress">
          <span className="bar" style={{ width: `${pct}%` }} />
          <span className="label">{cellText(col, v)}</span>
        </span>
      );
    }
    case "line_chart":
    case "bar_chart":
    case "area_chart":
      return <Sparkline col={col} v={v} />;
    default:
      return cellText(col, v);
  }
}
