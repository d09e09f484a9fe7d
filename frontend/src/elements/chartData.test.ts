import { describe, expect, it } from "vitest";
import { datasetRows } from "./chartData";

describe("datasetRows", () => {
  it("rebuilds rows from columns, resolving codes and nulls", () => {
    const rows = datasetRows({
      name: "data",
      rows: 3,
      columns: [
        { name: "x", values: [1, 2, 3] },
        { name: "k", values: [0, -1, 1], levels: ["a", "<b>"] },
        { name: "y", values: [0.5, null, 2] },
      ],
    });
    expect(rows).toEqual([
      { x: 1, k: "a", y: 0.5 },
      { x: 2, k: null, y: null },
      { x: 3, k: "<b>", y: 2 },
    ]);
  });

  it("treats out-of-range codes and short columns as missing", () => {
    const rows = datasetRows({ name: "d", rows: 2, columns: [{ name: "k", values: [5], levels: ["a"] }] });
    expect(rows).toEqual([{ k: null }, { k: null }]);
  });

  it("decodes ranges and base64 float64 columns", () => {
    const f = new Float64Array([1.5, Number.NaN, -2.25]);
    const b64 = btoa(String.fromCharCode(...new Uint8Array(f.buffer)));
    const rows = datasetRows({
      name: "d",
      rows: 3,
      columns: [
        { name: "i", values: [10, 5], format: "range" },
        { name: "v", values: b64, format: "f64" },
      ],
    });
    expect(rows).toEqual([
      { i: 10, v: 1.5 },
      { i: 15, v: null },
      { i: 20, v: -2.25 },
    ]);
  });
});
