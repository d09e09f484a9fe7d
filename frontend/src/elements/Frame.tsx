// Sandboxed frames: components.html documents, iframe(url) and declared components.
// The iframe gets `sandbox="allow-scripts"` and never `allow-same-origin`: its document has an
// opaque origin, so it cannot touch this page, its cookies or its socket. Messages from it are
// accepted only when they come from this iframe's own window (event.source) and from the origin
// its document must have ("null" for our sandboxed documents, the URL's origin for url=).
import { useEffect, useRef, useState } from "react";
import type { Frame } from "../generated/protocol";
import { useSession } from "../context";
import type { WidgetValue } from "../session";

const MAX_HEIGHT = 20_000;

function resolveSrc(src: string): { url: string; origin: string } {
  if (/^https?:\/\//i.test(src)) return { url: src, origin: new URL(src).origin };
  const base = document.querySelector('meta[name="bastion-base"]')?.getAttribute("content") ?? "/";
  // Our own frame documents are sandboxed: their origin is opaque, serialized as "null".
  return { url: `${base.replace(/\/?$/, "/")}${src}`, origin: "null" };
}

export function FrameView({ el }: { el: Frame }) {
  const session = useSession();
  const ref = useRef<HTMLIFrameElement>(null);
  const [height, setHeight] = useState<number | null>(el.height ?? null);
  const { url, origin } = resolveSrc(el.src);
  const component = el.component ?? null;

  useEffect(() => {
    if (!component) return undefined;
    const frame = ref.current;
    const render = () =>
      frame?.contentWindow?.postMessage(
        { type: "streamlit:render", args: JSON.parse(el.args_json ?? "{}"), dfs: [], disabled: el.disabled ?? false, theme: {} },
        // An opaque origin cannot be named as a target; the args are the frame's own input.
        origin === "null" ? "*" : origin,
      );
    const onMessage = (event: MessageEvent) => {
      if (!frame || event.source !== frame.contentWindow || event.origin !== origin) return;
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
  }, [component, el.args_json, el.disabled, el.id, el.form_id, origin, session]);

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
