// Compact chart datasets (protocol ChartDataset: columns, repeated text as codes into `levels`)
// back into the rows of objects Vega reads.
import type { ChartDataset } from "../generated/protocol";

export type Row = { [key: string]: unknown };

export function datasetRows(ds: ChartDataset): Row[] {
  const cols = ds.columns.map((c) => ({ name: c.name, values: c.values as unknown[], levels: c.levels }));
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
