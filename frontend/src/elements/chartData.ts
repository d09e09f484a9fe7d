// Compact chart datasets (protocol ChartDataset: columns, repeated text as codes into `levels`)
// back into the rows of objects Vega reads.
import type { ChartDataset } from "../generated/protocol";

export type Row = { [key: string]: unknown };

type Column = ChartDataset["columns"][number];

/** A column's values by its format (see protocol ChartColumn): JSON, base64 float64s, a range. */
export function columnValues(c: Column, rows: number): unknown[] {
  if (c.format === "range") {
    const [start, step] = c.values as [number, number];
    return Array.from({ length: rows }, (_, i) => start + i * step);
  }
  if (c.format === "f64") {
    const bin = atob(c.values as string);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    // Little-endian on the wire, as every platform a browser runs on.
    return Array.from(new Float64Array(bytes.buffer, 0, bytes.length >> 3), (v) => (Number.isNaN(v) ? null : v));
  }
  return c.values as unknown[];
}

export function datasetRows(ds: ChartDataset): Row[] {
  const cols = ds.columns.map((c) => ({ name: c.name, values: columnValues(c, ds.rows), levels: c.levels }));
  const rows: Row[] = new Array(ds.rows);
  for (let i = 0; i < ds.rows; i++) {
    const row: Row = {};
    for (const c of cols) {
      const v = c.values[i];
      row[c.name] = c.levels ? (typeof v === "number" && v >= 0 ? (c.levels[v] ?? null) : null) : (v ?? null);
    }
    rows[i] = row;
  }
  return rows;
}
