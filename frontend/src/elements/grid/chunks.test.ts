import { describe, expect, it } from "vitest";
import { tableFromArrays, tableToIPC } from "apache-arrow";
import { CHUNK_ROWS, Chunk, ChunkCache, toCell } from "./chunks";
import { safeImage, safeLink } from "./cells";

function b64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

function chunk(start: number, values: number[], positions?: number[]): Chunk {
  const cols: Record<string, Float64Array | string[] | BigInt64Array> = {
    "0": Float64Array.from(values),
    "1": values.map((v) => `r${v}`),
  };
  if (positions) cols.__row = BigInt64Array.from(positions.map(BigInt));
  return new Chunk(start, b64(tableToIPC(tableFromArrays(cols), "stream")), positions !== undefined);
}

describe("Chunk", () => {
  it("reads cells by absolute row and field", () => {
    const c = chunk(400, [1.5, 2.5]);
    expect(c.cell(400, 0)).toBe(1.5);
    expect(c.cell(401, 1)).toBe("r2.5");
    expect(c.position(401)).toBe(401);
  });

  it("gives a sorted view's original positions", () => {
    const c = chunk(0, [9, 8], [17, 3]);
    expect(c.position(0)).toBe(17);
    expect(c.position(1)).toBe(3);
  });

  it("turns 64-bit integers into numbers or, past 2^53, text", () => {
    expect(toCell(5n)).toBe(5);
    expect(toCell(2n ** 60n)).toBe("1152921504606846976");
  });
});

describe("ChunkCache", () => {
  it("asks only for what neither the first chunk nor the cache holds", () => {
    const cache = new ChunkCache(chunk(0, Array.from({ length: 100 }, (_, i) => i)));
    expect(cache.missing(0, 50)).toEqual([]);
    expect(cache.missing(0, 150)).toEqual([0]);
    cache.begin(0);
    expect(cache.missing(0, 150)).toEqual([]); // in flight
    expect(cache.missing(CHUNK_ROWS * 5, CHUNK_ROWS * 6 + 1)).toEqual([5, 6]);
    cache.put(5, chunk(CHUNK_ROWS * 5, [1]));
    expect(cache.row(CHUNK_ROWS * 5)?.cell(CHUNK_ROWS * 5, 0)).toBe(1);
    cache.fail(0);
    expect(cache.missing(120, 130)).toEqual([0]); // a failed fetch is asked again
  });
});

describe("cell URLs", () => {
  it("keeps only safe link and image schemes", () => {
    expect(safeLink("https://example.org")).toBe(true);
    expect(safeLink("mailto:a@b.c")).toBe(true);
    expect(safeLink("javascript:alert(1)")).toBe(false);
    expect(safeLink(" JaVaScRiPt:alert(1)")).toBe(false);
    expect(safeImage("data:image/png;base64,AAAA")).toBe(true);
    expect(safeImage("data:image/svg+xml;base64,AAAA")).toBe(false);
    expect(safeImage("javascript:1")).toBe(false);
  });
});
