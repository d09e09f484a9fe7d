// Fragments and overlays: the fragment block (scopes widget reruns and staleness), the modal
// dialog, the popover panel, the status container, and the toast stack (outside the tree).
import { useContext, useEffect, useRef, useState, type ReactNode } from "react";
import type { Dialog, Popover, Status, Toast } from "../generated/protocol";
import { FragmentContext, FragmentScope, useSession } from "../context";
import { Html, unwrapParagraph } from "../Html";
import { Children, RunContext } from "../render";
import type { BlockNode } from "../tree";
import { Help } from "./text";

/** Widgets inside report this fragment; during its fragment run, nodes inside may go stale. */
function FragmentBody({ id, children }: { id: string; children: ReactNode }) {
  const { fragments } = useContext(RunContext);
  const outer = useContext(FragmentScope);
  return (
    <FragmentContext.Provider value={id}>
      <FragmentScope.Provider value={outer || fragments.includes(id)}>{children}</FragmentScope.Provider>
    </FragmentContext.Provider>
  );
}

export function FragmentView({ node, cls, fragmentId }: { node: BlockNode; cls: string; fragmentId: string }) {
  return (
    <FragmentBody id={fragmentId}>
      <div className={`block fragment${cls}`} data-testid="stFragment">
        <Children node={node} />
      </div>
    </FragmentBody>
  );
}

export function DialogView({ node, block }: { node: BlockNode; block: Dialog }) {
  // A run that opens the dialog again sends a new `opened`: a fresh box, open again.
  return <DialogBox key={block.opened} node={node} block={block} />;
}

function DialogBox({ node, block }: { node: BlockNode; block: Dialog }) {
  const session = useSession();
  const ref = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(true);
  const dismissible = block.dismissible !== false;
  useEffect(() => {
    const box = ref.current;
    if (open && box && !box.open) box.showModal(); // top layer, focus trap, Escape: the browser's
  }, [open]);
  if (!open) return null;
  const close = () => {
    setOpen(false);
    if (block.on_dismiss === "rerun") session.rerun();
  };
  return (
    <dialog
      ref={ref}
      className={`dialog dialog-${block.width ?? "small"}`}
      data-testid="stDialog"
      onCancel={(e) => {
        e.preventDefault(); // Escape: close through React, or not at all when not dismissible
        if (dismissible) close();
      }}
    >
      <div className="dialog-head">
        <Html as="h2" className="dialog-title" html={unwrapParagraph(block.title_html)} />
        {dismissible ? (
          <button type="button" className="dialog-close" aria-label="Close" onClick={close}>
            ×
          </button>
        ) : null}
      </div>
      <FragmentBody id={block.fragment_id}>
        <div className="block dialog-body">
          <Children node={node} />
        </div>
      </FragmentBody>
    </dialog>
  );
}

export function PopoverView({ node, cls, block }: { node: BlockNode; cls: string; block: Popover }) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") setOpen(false);
    };
    document.addEventListener("mousedown", onDown);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("mousedown", onDown);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);
  return (
    <div className={`block popover${block.use_container_width ? " full" : ""}${cls}`} data-testid="stPopover" ref={root}>
      <button
        type="button"
        className={`button button-secondary${block.use_container_width ? " full" : ""}`}
        disabled={block.disabled}
        aria-expanded={open}
        onClick={() => setOpen(!open)}
      >
        {block.icon ? <span className="button-icon">{block.icon}</span> : null}
        <Html as="span" html={unwrapParagraph(block.label_html)} />
        <span className="popover-caret">{open ? "▴" : "▾"}</span>
      </button>
      <Help help_html={block.help_html} />
      {/* Kept mounted while closed, so widgets inside keep their local state. */}
      <div className="popover-panel" data-testid="stPopoverBody" hidden={!open}>
        <Children node={node} />
      </div>
    </div>
  );
}

const STATE_ICONS: Record<string, ReactNode> = {
  running: <span className="spinner-wheel" aria-label="Running" />,
  complete: <span className="status-icon complete" aria-label="Complete">✓</span>,
  error: <span className="status-icon error" aria-label="Error">✕</span>,
};

export function StatusView({ node, cls, block }: { node: BlockNode; cls: string; block: Status }) {
  const state = block.state ?? "running";
  return (
    <details className={`block expander status-block ${state}${cls}`} data-testid="stStatus" data-state={state} open={block.expanded}>
      <summary>
        {STATE_ICONS[state]}
        <Html as="span" html={unwrapParagraph(block.label_html)} />
      </summary>
      <div className="expander-body">
        <Children node={node} />
      </div>
    </details>
  );
}

export function ToastStack({ toasts, onClose }: { toasts: ReadonlyArray<Toast>; onClose: (id: string) => void }) {
  if (toasts.length === 0) return null;
  return (
    <div className="toasts" role="status" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className="toast" data-testid="stToast">
          {t.icon ? <span className="toast-icon">{t.icon}</span> : null}
          <Html className="toast-body" html={t.body_html} />
          <button type="button" className="toast-close" aria-label="Close" onClick={() => onClose(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
