// A collapsible JSON tree. Loaded on first use: most apps never show JSON.
import { useMemo } from "react";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function Node({ name, value, depth, open }: { name: string | null; value: Json; depth: number; open: number }) {
  const label = name === null ? null : <span className="json-key">{JSON.stringify(name)}: </span>;
  if (value === null || typeof value !== "object") {
    return (
      <div className="json-leaf">
        {label}
        <span className={`json-${value === null ? "null" : typeof value}`}>{JSON.stringify(value)}</span>
      </div>
    );
  }
  const entries: [string, Json][] = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value);
  const [openMark, closeMark] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  return (
    <details className="json-node" open={depth < open}>
      <summary>
        {label}
        {openMark}
        <span className="json-count">{entries.length} items</span>
      </summary>
      <div className="json-children">
        {entries.map(([k, v]) => (
          <Node key={k} name={Array.isArray(value) ? null : k} value={v} depth={depth + 1} open={open} />
        ))}
      </div>
      <span>{closeMark}</span>
    </details>
  );
}

export default function JsonView({ body, expanded }: { body: string; expanded: boolean | number }) {
  const parsed = useMemo((): { ok: true; value: Json } | { ok: false } => {
    try {
      return { ok: true, value: JSON.parse(body) as Json };
    } catch {
      return { ok: false };
    }
  }, [body]);
  if (!parsed.ok) return <pre>{body}</pre>;
  const open = expanded === true ? Infinity : expanded === false ? 0 : expanded;
  return <Node name={null} value={parsed.value} depth={0} open={open} />;
}
