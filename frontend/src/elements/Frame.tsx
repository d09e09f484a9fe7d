// Sandboxed frames: components.html documents, iframe(url) and declared components.
// The iframe gets `sandbox="allow-scripts"` and never `allow-same-origin`: its document has an
// opaque origin, so it cannot touch this page, its cookies or its socket. Messages from it are
// accepted only when they come from this iframe's own window (event.source) and from the origin
// its document must have: "null", the opaque origin of every sandboxed document, ours or a url=
// component's (a frame that claims any real origin is not the one we made).
import { useEffect, useRef, useState } from "react";
import type { Frame } from "../generated/protocol";
import { useSession } from "../context";
import type { WidgetValue } from "../session";

const MAX_HEIGHT = 20_000;

// Sandboxed without allow-same-origin, every frame document's origin is opaque: "null".
const OPAQUE = "null";

function resolveSrc(src: string): string {
  if (/^https?:\/\//i.test(src)) return src;
  const base = document.querySelector('meta[name="bastion-base"]')?.getAttribute("content") ?? "/";
  return `${base.replace(/\/?$/, "/")}${src}`;
}

export function FrameView({ el }: { el: Frame }) {
  const session = useSession();
  const ref = useRef<HTMLIFrameElement>(null);
  const [height, setHeight] = useState<number | null>(el.height ?? null);
  const url = resolveSrc(el.src);
  const component = el.component ?? null;

  useEffect(() => {
    if (!component) return undefined;
    const frame = ref.current;
    const render = () =>
      frame?.contentWindow?.postMessage(
        { type: "streamlit:render", args: JSON.parse(el.args_json ?? "{}"), dfs: [], disabled: el.disabled ?? false, theme: {} },
        // An opaque origin cannot be named as a target; the args are the frame's own input.
        "*",
      );
    const onMessage = (event: MessageEvent) => {
      if (!frame || event.source !== frame.contentWindow || event.origin !== OPAQUE) return;
      const data = event.data as { isStreamlitMessage?: boolean; type?: string; height?: unknown; value?: unknown };
      if (!data || typeof data !== "object" || data.isStreamlitMessage !== true) return;
      switch (data.type) {
        case "streamlit:componentReady":
          render();
          break;
        case "streamlit:setFrameHeight":
          if (typeof data.height === "number" && Number.isFinite(data.height)) {
            setHeight(Math.max(0, Math.min(MAX_HEIGHT, Math.round(data.height))));
          }
          break;
        case "streamlit:setComponentValue":
          if (el.id && !el.disabled) session.setWidget(el.id, (data.value ?? null) as WidgetValue, el.form_id);
          break;
        default:
          break;
      }
    };
    window.addEventListener("message", onMessage);
    render(); // a frame that loaded before this effect still gets its args (ready is also answered)
    return () => window.removeEventListener("message", onMessage);
  }, [component, el.args_json, el.disabled, el.id, el.form_id, session]);

  return (
    <div className="element frame" data-testid={component ? "stCustomComponentV1" : "stIFrame"}>
      <iframe
        ref={ref}
        src={url}
        title={el.title ?? ""}
        sandbox="allow-scripts"
        referrerPolicy="no-referrer"
        height={height ?? 150}
        width={el.width ?? undefined}
        scrolling={el.scrolling ? "yes" : "no"}
        tabIndex={el.tab_index ?? undefined}
        className={el.width ? "frame-fixed" : "frame-fill"}
      />
    </div>
  );
}
