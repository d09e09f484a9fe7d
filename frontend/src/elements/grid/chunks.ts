// Rows of one dataframe view, as Arrow record batches the server sent: the element's first chunk
// plus chunks fetched as the user scrolls. Pure data code (no React), tested with vitest.
import { tableFromIPC, type Table } from "apache-arrow";

export const CHUNK_ROWS = 200;
const MAX_CHUNKS = 60; // 12,000 rows cached per view; older chunks are dropped and fetched again

export type Cell = string | number | boolean | null;

export function decodeBase64(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** One decoded range of rows [start, start + length). */
export class Chunk {
  readonly length: number;
  private readonly table: Table;
  private readonly hasPositions: boolean;

  constructor(
    readonly start: number,
    arrowBase64: string,
    positions: boolean,
  ) {
    this.table = tableFromIPC(decodeBase64(arrowBase64));
    this.length = this.table.numRows;
    this.hasPositions = positions;
  }

  /** The cell of field `field` at absolute row `row` of the view. */
  cell(row: number, field: number): Cell {
    const vector = this.table.getChildAt(field);
    if (!vector) return null;
    return toCell(vector.get(row - this.start));
  }

  /** The row's position in the original frame (differs from `row` in a sorted view). */
  position(row: number): number {
    if (!this.hasPositions) return row;
    const vector = this.table.getChildAt(this.table.numCols - 1);
    const v = vector?.get(row - this.start);
    return typeof v === "bigint" ? Number(v) : Number(v ?? row);
  }
}

export function toCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === "bigint") {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : v.toString();
  }
  if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
  return String(v);
}

/** The cache for one view (one data id and sort): chunks by index, least recently used dropped. */
export class ChunkCache {
  private readonly chunks = new Map<number, Chunk>();
  private readonly pending = new Set<number>();
  private first: Chunk | null = null;

  constructor(first: Chunk | null) {
    this.first = first;
  }

  row(row: number): Chunk | null {
    if (this.first && row >= this.first.start && row < this.first.start + this.first.length) return this.first;
    const index = Math.floor(row / CHUNK_ROWS);
    const chunk = this.chunks.get(index);
    if (chunk) {
      this.chunks.delete(index);
      this.chunks.set(index, chunk); // most recently used last
    }
    return chunk ?? null;
  }

  /** Chunk indices covering [start, stop) that are neither cached nor being fetched. */
  missing(start: number, stop: number): number[] {
    const out: number[] = [];
    for (let i = Math.floor(start / CHUNK_ROWS); i * CHUNK_ROWS < stop; i++) {
      const chunkStart = i * CHUNK_ROWS;
      const coveredByFirst =
        this.first !== null && chunkStart >= this.first.start && Math.min(stop, chunkStart + CHUNK_ROWS) <= this.first.start + this.first.length;
      if (!coveredByFirst && !this.chunks.has(i) && !this.pending.has(i)) out.push(i);
    }
    return out;
  }

  begin(index: number): void {
    this.pending.add(index);
  }

  fail(index: number): void {
    this.pending.delete(index);
  }

  put(index: number, chunk: Chunk): void {
    this.pending.delete(index);
    this.chunks.set(index, chunk);
    while (this.chunks.size > MAX_CHUNKS) {
      const oldest = this.chunks.keys().next().value as number;
      this.chunks.delete(oldest);
    }
  }
}
