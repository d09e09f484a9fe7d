// st.dataframe / st.data_editor / st.table: a virtualized grid over rows fetched in chunks.
// Loaded as a lazy chunk (with apache-arrow) the first time a page shows a dataframe. Only the
// rows in the viewport are in the DOM; a frame taller than the browser's element height limit
// maps the scrollbar onto rows proportionally, so ten million rows scroll like a hundred.
import { useCallback, useEffect, useMemo, useReducer, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import type { DataColumn, DataFrame } from "../../generated/protocol";
import { useSession } from "../../context";
import type { WidgetValue } from "../../session";
import { CellView, cellText } from "./cells";
import { CHUNK_ROWS, Chunk, ChunkCache, type Cell } from "./chunks";
import "./grid.css";

const ROW_H = 35;
const MAX_PX = 8_000_000; // below every browser's maximum element height
const DEFAULT_HEIGHT_ROWS = 10;
const WIDTHS: Record<string, number> = { small: 75, medium: 200, large: 400 };

interface Sort {
  field: number;
  ascending: boolean;
}

interface Edits {
  edited_rows: Record<string, Record<string, Cell>>;
  added_rows: Record<string, Cell>[];
  deleted_rows: number[];
}

function columnWidth(col: DataColumn): number {
  if (typeof col.width === "number") return Math.max(40, col.width);
  if (col.width) return WIDTHS[col.width] ?? 150;
  if (col.index) return Math.min(200, Math.max(60, col.label.length * 9 + 30));
  return Math.min(300, Math.max(100, col.label.length * 9 + 40));
}

function parseEdits(json: string | null | undefined): Edits {
  if (!json) return { edited_rows: {}, added_rows: [], deleted_rows: [] };
  try {
    const e = JSON.parse(json) as Edits;
    return { edited_rows: e.edited_rows ?? {}, added_rows: e.added_rows ?? [], deleted_rows: e.deleted_rows ?? [] };
  } catch {
    return { edited_rows: {}, added_rows: [], deleted_rows: [] };
  }
}

export default function Grid({ el }: { el: DataFrame }) {
  if (el.mode === "table") return <StaticTable el={el} />;
  return <VirtualGrid el={el} />;
}

function StaticTable({ el }: { el: DataFrame }) {
  const chunk = useMemo(() => new Chunk(0, el.first, false), [el.first]);
  const rows: ReactNode[] = [];
  for (let r = 0; r < chunk.length; r++) {
    rows.push(
      <tr key={r}>
        {el.columns.map((col, c) =>
          col.index ? (
            <th key={c} scope="row">
              {cellText(col, chunk.cell(r, col.field))}
            </th>
          ) : (
            <td key={c} className={col.kind === "number" ? "num" : undefined}>
              <CellView col={col} v={chunk.cell(r, col.field)} />
            </td>
          ),
        )}
      </tr>,
    );
  }
  return (
    <div className="st-table" data-testid="stTable">
      <table>
        <thead>
          <tr>
            {el.columns.map((col, c) => (
              <th key={c} scope="col">
                {col.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{rows}</tbody>
      </table>
      {el.num_rows > chunk.length ? (
        <div className="st-table-more">
          Showing the first {chunk.length} of {el.num_rows} rows (use st.dataframe for more).
        </div>
      ) : null}
    </div>
  );
}

function VirtualGrid({ el }: { el: DataFrame }) {
  const session = useSession();
  const editor = el.mode === "editor";
  const [sort, setSort] = useState<Sort | null>(null);
  const [, bump] = useReducer((x: number) => x + 1, 0);
  const [scroll, setScroll] = useState({ top: 0, max: 0, client: 0 });
  const scrollTop = scroll.top;
  const scroller = useRef<HTMLDivElement>(null);

  // One cache per view: a new element (a rerun's new data id) or another sort starts over.
  const cache = useMemo(
    () => new ChunkCache(sort === null && el.first_rows > 0 ? new Chunk(0, el.first, false) : null),
    [el.data_id, el.first, el.first_rows, sort],
  );
  // A rerun sends the frame under a new id: until its chunks arrive, rows keep showing the
  // previous view's cells (same sort and shape) instead of flashing to "loading".
  const view = useRef({ cache, sort, rows: el.num_rows, cols: el.columns.length, stale: null as ChunkCache | null });
  if (view.current.cache !== cache) {
    const v = view.current;
    const compatible = v.sort === sort && v.rows === el.num_rows && v.cols === el.columns.length;
    view.current = { cache, sort, rows: el.num_rows, cols: el.columns.length, stale: compatible ? v.cache : null };
  }
  const stale = view.current.stale;

  // Widget state: the server's value is authoritative whenever the element is sent again.
  const [edits, setEdits] = useState<Edits>(() => parseEdits(el.edits_json));
  const [selRows, setSelRows] = useState<number[]>(el.selected_rows ?? []);
  const [selCols, setSelCols] = useState<string[]>(el.selected_columns ?? []);
  const [seen, setSeen] = useState(el);
  if (seen !== el) {
    setSeen(el);
    setEdits(parseEdits(el.edits_json));
    setSelRows(el.selected_rows ?? []);
    setSelCols(el.selected_columns ?? []);
  }
  const [editing, setEditing] = useState<{ row: number; col: number } | null>(null);

  const modes = el.selection_mode ?? [];
  const rowSelect = modes.includes("multi-row") || modes.includes("single-row");
  const colSelect = modes.includes("multi-column") || modes.includes("single-column");
  const deletable = editor && el.num_rows_mode === "dynamic" && !el.disabled;
  const checkColumn = rowSelect || deletable;

  const added = editor ? edits.added_rows.length : 0;
  const n = el.num_rows + added;
  const contentH = Math.min(n * ROW_H, MAX_PX);
  const viewportH = el.height ? Math.max(ROW_H * 2, el.height - ROW_H - 2) : Math.min(n, DEFAULT_HEIGHT_ROWS) * ROW_H;
  const visible = Math.ceil(viewportH / ROW_H) + 1;
  let firstFloat: number;
  if (n * ROW_H <= MAX_PX) firstFloat = scrollTop / ROW_H;
  else {
    // Proportional: the scrollbar's position is the position among the rows.
    const ratio = scroll.max > 0 ? scrollTop / scroll.max : 0;
    const shown = (scroll.client > 0 ? scroll.client - ROW_H : viewportH) / ROW_H;
    firstFloat = Math.min(1, Math.max(0, ratio)) * Math.max(0, n - shown);
  }
  const first = Math.max(0, Math.floor(firstFloat));
  const offset = (firstFloat - first) * ROW_H;
  const last = Math.min(n, first + visible);

  // Fetch what the viewport (plus one chunk ahead) needs and the cache lacks.
  useEffect(() => {
    const stop = Math.min(el.num_rows, last + CHUNK_ROWS / 2);
    let live = true;
    for (const index of cache.missing(first, stop)) {
      cache.begin(index);
      const start = index * CHUNK_ROWS;
      void session
        .fetchRows({
          data_id: el.data_id,
          start,
          stop: Math.min(el.num_rows, start + CHUNK_ROWS),
          sort_column: sort?.field ?? null,
          ascending: sort?.ascending ?? true,
        })
        .then((rows) => {
          if (rows.error || !rows.arrow) {
            cache.fail(index);
            return;
          }
          cache.put(index, new Chunk(rows.start, rows.arrow, rows.positions ?? false));
          if (live) bump();
        });
    }
    return () => {
      live = false;
    };
  }, [cache, first, last, el.data_id, el.num_rows, sort, session]);

  const commit = useCallback(
    (value: WidgetValue) => {
      if (el.id) session.setWidget(el.id, value, el.form_id);
    },
    [el.id, el.form_id, session],
  );

  const commitEdits = (next: Edits) => {
    setEdits(next);
    commit(next as unknown as WidgetValue);
  };

  const toggleRow = (position: number) => {
    if (deletable) {
      const set = new Set(edits.deleted_rows);
      if (set.has(position)) set.delete(position);
      else set.add(position);
      commitEdits({ ...edits, deleted_rows: [...set].sort((a, b) => a - b) });
      return;
    }
    let next: number[];
    if (selRows.includes(position)) next = selRows.filter((r) => r !== position);
    else next = modes.includes("single-row") ? [position] : [...selRows, position].sort((a, b) => a - b);
    setSelRows(next);
    commit({ rows: next, columns: selCols });
  };

  const onHeader = (col: DataColumn) => {
    if (colSelect && !col.index) {
      let next: string[];
      if (selCols.includes(col.name)) next = selCols.filter((c) => c !== col.name);
      else next = modes.includes("single-column") ? [col.name] : [...selCols, col.name];
      setSelCols(next);
      commit({ rows: selRows, columns: next });
      return;
    }
    if (el.sortable === false || el.num_rows < 2) return;
    if (!sort || sort.field !== col.field) setSort({ field: col.field, ascending: true });
    else if (sort.ascending) setSort({ field: col.field, ascending: false });
    else setSort(null);
    setScroll((s) => ({ ...s, top: 0 }));
    if (scroller.current) scroller.current.scrollTop = 0;
  };

  const cellValue = (row: number, position: number, col: DataColumn, chunk: Chunk | null): Cell => {
    if (row >= el.num_rows) return edits.added_rows[row - el.num_rows]?.[col.name] ?? null;
    const edited = edits.edited_rows[String(position)];
    if (edited && col.name in edited) return edited[col.name] ?? null;
    return chunk ? chunk.cell(row, col.field) : null;
  };

  const setCell = (row: number, position: number, col: DataColumn, value: Cell) => {
    if (row >= el.num_rows) {
      const addedRows = edits.added_rows.map((r, i) => (i === row - el.num_rows ? { ...r, [col.name]: value } : r));
      commitEdits({ ...edits, added_rows: addedRows });
    } else {
      const rowEdits = { ...(edits.edited_rows[String(position)] ?? {}), [col.name]: value };
      commitEdits({ ...edits, edited_rows: { ...edits.edited_rows, [String(position)]: rowEdits } });
    }
  };

  const widths = el.columns.map(columnWidth);
  // With use_container_width (the default) columns share the spare width; never below their own.
  const stretch = el.use_container_width !== false;
  const template = `${checkColumn ? "36px " : ""}${widths.map((w) => (stretch ? `minmax(${w}px, 1fr)` : `${w}px`)).join(" ")}`;
  const totalW = widths.reduce((a, b) => a + b, 0) + (checkColumn ? 36 : 0);

  const rows: ReactNode[] = [];
  for (let row = first; row < last; row++) {
    const chunk = row < el.num_rows ? (cache.row(row) ?? stale?.row(row) ?? null) : null;
    const loading = row < el.num_rows && chunk === null;
    const position = row < el.num_rows ? (chunk ? chunk.position(row) : -1) : row;
    const deleted = edits.deleted_rows.includes(position);
    const selected = selRows.includes(position);
    rows.push(
      <div
        key={row}
        className={`grid-row${loading ? " loading" : ""}${deleted ? " deleted" : ""}${selected ? " selected" : ""}`}
        data-row={row}
        data-position={position}
        role="row"
        style={{ top: `${scrollTop - offset + (row - first) * ROW_H}px`, gridTemplateColumns: template, minWidth: `${totalW}px`, width: stretch ? "100%" : `${totalW}px` }}
      >
        {checkColumn ? (
          <div className="grid-cell check" role="gridcell">
            {row < el.num_rows && !loading ? (
              <input
                type="checkbox"
                aria-label={deletable ? "mark row for deletion" : "select row"}
                checked={deletable ? deleted : selected}
                onChange={() => toggleRow(position)}
              />
            ) : null}
          </div>
        ) : null}
        {el.columns.map((col, c) => {
          const v = loading ? null : cellValue(row, position, col, chunk);
          const isEditing = editing?.row === row && editing.col === c;
          const editable = editor && !el.disabled && !col.disabled && !col.index && !loading && !deleted && isEditable(col);
          const cls = `grid-cell${col.index ? " index" : ""}${col.kind === "number" || col.kind === "progress" ? " num" : ""}${selCols.includes(col.name) ? " col-selected" : ""}${editable ? " editable" : ""}`;
          return (
            <div
              key={c}
              className={cls}
              role="gridcell"
              data-col={col.name}
              onDoubleClick={editable ? () => setEditing({ row, col: c }) : undefined}
              onKeyDown={editable ? (e) => e.key === "Enter" && setEditing({ row, col: c }) : undefined}
              tabIndex={editable ? 0 : undefined}
            >
              {isEditing ? (
                <CellEditor
                  col={col}
                  value={v}
                  done={(value, save) => {
                    setEditing(null);
                    if (save) setCell(row, position, col, value);
                  }}
                />
              ) : editor && col.kind === "checkbox" && editable ? (
                <input type="checkbox" checked={v === true} onChange={() => setCell(row, position, col, !(v === true))} aria-label={col.label} />
              ) : (
                <CellView col={col} v={v} />
              )}
            </div>
          );
        })}
      </div>,
    );
  }

  return (
    <div
      className="grid"
      data-testid={editor ? "stDataFrameEditor" : "stDataFrame"}
      data-rows={el.num_rows}
      style={stretch ? undefined : { width: "fit-content", maxWidth: el.width ? `${el.width}px` : "100%" }}
    >
      <div
        className="grid-scroll"
        ref={scroller}
        style={{ height: `${viewportH + ROW_H}px` }}
        onScroll={(e) => {
          const t = e.currentTarget;
          setScroll({ top: t.scrollTop, max: t.scrollHeight - t.clientHeight, client: t.clientHeight });
        }}
        role="grid"
        aria-rowcount={n}
      >
        <div className="grid-header" role="row" style={{ gridTemplateColumns: template, minWidth: `${totalW}px`, width: stretch ? "100%" : `${totalW}px` }}>
          {checkColumn ? <div className="grid-cell check" /> : null}
          {el.columns.map((col, c) => (
            <div
              key={c}
              role="columnheader"
              className={`grid-cell head${col.index ? " index" : ""}${selCols.includes(col.name) ? " col-selected" : ""}`}
              title={col.help ?? undefined}
              onClick={() => onHeader(col)}
              aria-sort={sort?.field === col.field ? (sort.ascending ? "ascending" : "descending") : undefined}
            >
              <span className="label">{col.label}</span>
              {sort?.field === col.field ? <span className="sort">{sort.ascending ? "↑" : "↓"}</span> : null}
            </div>
          ))}
        </div>
        <div className="grid-body" style={{ height: `${contentH}px`, minWidth: `${totalW}px`, width: stretch ? "100%" : `${totalW}px` }}>
          {rows}
        </div>
      </div>
      {editor && el.num_rows_mode === "dynamic" && !el.disabled ? (
        <div className="grid-actions">
          <button type="button" onClick={() => commitEdits({ ...edits, added_rows: [...edits.added_rows, {}] })}>
            + Add row
          </button>
        </div>
      ) : null}
    </div>
  );
}

function isEditable(col: DataColumn): boolean {
  return ["text", "number", "checkbox", "selectbox", "date", "datetime", "time", "link"].includes(col.kind ?? "text");
}

function CellEditor({ col, value, done }: { col: DataColumn; value: Cell; done: (value: Cell, save: boolean) => void }) {
  const [text, setText] = useState(value === null ? "" : String(value));
  const finish = (save: boolean) => done(parse(col, text), save);
  const onKey = (e: KeyboardEvent) => {
    e.stopPropagation(); // the cell's own Enter opens the editor again
    if (e.key === "Enter") finish(true);
    else if (e.key === "Escape") done(value, false);
  };
  if (col.kind === "selectbox") {
    return (
      <select autoFocus value={text} onChange={(e) => done(e.target.value, true)} onBlur={() => done(value, false)}>
        {col.required ? null : <option value="">—</option>}
        {(col.options ?? []).map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    );
  }
  const type = col.kind === "number" ? "number" : col.kind === "date" ? "date" : col.kind === "time" ? "time" : col.kind === "datetime" ? "datetime-local" : "text";
  return (
    <input
      autoFocus
      className="cell-input"
      type={type}
      value={col.kind === "datetime" ? text.slice(0, 19) : text}
      step={col.kind === "number" ? (col.step ?? (col.integer ? 1 : "any")) : undefined}
      maxLength={col.max_chars ?? undefined}
      onChange={(e) => setText(e.target.value)}
      onKeyDown={onKey}
      onBlur={() => finish(true)}
      aria-label={col.label}
    />
  );
}

function parse(col: DataColumn, text: string): Cell {
  if (text === "") return null;
  if (col.kind === "number") {
    const n = Number(text);
    return Number.isFinite(n) ? n : null;
  }
  if (col.kind === "time" && text.length === 5) return `${text}:00`;
  return text;
}
