// Text and status elements. Strings are text unless their field is `*_html` (see Html.tsx).
import { useEffect, useState } from "react";
import type {
  Alert,
  Code,
  DocString,
  ExceptionInfo,
  Heading,
  Json,
  Markdown,
  Metric,
  Progress,
  Space,
  Spinner,
  Text,
} from "../generated/protocol";
import { Html, unwrapParagraph } from "../Html";
import { lazyView } from "../lazyView";

// Until the viewer loads, the document shows as preformatted text.
const JsonView = lazyView(() => import("./JsonView"), ({ body }: { body: string }) => <pre>{body}</pre>);
const BalloonsView = lazyView(() => import("./BalloonsView"), null);

export function HeadingView({ el }: { el: Heading }) {
  const tag = el.level === "title" ? "h1" : el.level === "header" ? "h2" : "h3";
  return (
    <div className={`heading heading-${el.level}`} data-testid="stHeading">
      <Html as={tag} html={unwrapParagraph(el.body_html)} />
      {el.divider ? <hr className={`divider divider-${el.divider}`} /> : null}
      <Help help_html={el.help_html} />
    </div>
  );
}

export function MarkdownView({ el }: { el: Markdown }) {
  const testId = el.kind === "caption" ? "stCaption" : el.kind === "latex" ? "stLatex" : "stMarkdown";
  return (
    <div className={`markdown markdown-${el.kind ?? "markdown"}`} data-testid={testId}>
      <Html html={el.body_html} />
      <Help help_html={el.help_html} />
    </div>
  );
}

export function TextView({ el }: { el: Text }) {
  return (
    <div className="text" data-testid="stText">
      <pre>{el.body}</pre>
      <Help help_html={el.help_html} />
    </div>
  );
}

export function CodeView({ el }: { el: Code }) {
  const lines = el.body.split("\n");
  return (
    <div className={`code${el.wrap_lines ? " wrap" : ""}`} data-testid="stCode" data-language={el.language ?? ""}>
      <pre>
        <code>
          {el.line_numbers
            ? lines.map((line, i) => (
                <span className="line" key={i}>
                  <span className="line-number">{i + 1}</span>
                  {line}
                  {"\n"}
                </span>
              ))
            : el.body}
        </code>
      </pre>
      <CopyButton text={el.body} />
    </div>
  );
}

function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="copy"
      title="Copy to clipboard"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => setCopied(true));
      }}
    >
      {copied ? "Copied" : "Copy"}
    </button>
  );
}

export function JsonElement({ el }: { el: Json }) {
  return (
    <div className="json" data-testid="stJson">
      <JsonView body={el.body} expanded={el.expanded ?? true} />
    </div>
  );
}

export function DividerView() {
  return <hr className="divider" data-testid="stDivider" />;
}

export function MetricView({ el }: { el: Metric }) {
  const direction = el.delta_direction ?? "none";
  const color = el.delta_color ?? "normal";
  const good = color === "off" || direction === "none" ? "neutral" : (direction === "up") === (color === "normal") ? "good" : "bad";
  return (
    <div className={`metric${el.border ? " bordered" : ""}`} data-testid="stMetric">
      {el.label_visibility !== "collapsed" ? (
        <Html
          className={`metric-label${el.label_visibility === "hidden" ? " hidden" : ""}`}
          testId="stMetricLabel"
          html={unwrapParagraph(el.label_html)}
        />
      ) : null}
      <div className="metric-value" data-testid="stMetricValue">
        {el.value}
      </div>
      {el.delta ? (
        <div className={`metric-delta ${good}`} data-testid="stMetricDelta">
          {direction === "up" ? "↑ " : direction === "down" ? "↓ " : ""}
          {el.delta}
        </div>
      ) : null}
      <Help help_html={el.help_html} />
    </div>
  );
}

export function AlertView({ el }: { el: Alert }) {
  return (
    <div className={`alert alert-${el.kind}`} role="alert" data-testid="stAlert" data-kind={el.kind}>
      {el.icon ? <span className="alert-icon">{el.icon}</span> : null}
      <Html html={el.body_html} />
    </div>
  );
}

export function ExceptionView({ el }: { el: ExceptionInfo }) {
  return (
    <div className="alert alert-error exception" role="alert" data-testid="stException">
      <div className="exception-message">
        <strong>{el.exc_type}</strong>
        {el.message ? `: ${el.message}` : ""}
      </div>
      {el.traceback && el.traceback.length > 0 ? <pre className="traceback">{el.traceback.join("")}</pre> : null}
      {el.error_id ? <div className="error-id">Error id: {el.error_id}</div> : null}
    </div>
  );
}

export function SpinnerView({ el }: { el: Spinner }) {
  const [seconds, setSeconds] = useState(0);
  useEffect(() => {
    if (!el.show_time) return;
    const start = Date.now();
    const timer = setInterval(() => setSeconds((Date.now() - start) / 1000), 100);
    return () => clearInterval(timer);
  }, [el]);
  return (
    <div className="spinner" data-testid="stSpinner" role="status">
      <span className="spinner-wheel" aria-hidden="true" />
      <Html as="span" html={unwrapParagraph(el.text_html)} />
      {el.show_time ? <span className="spinner-time">({seconds.toFixed(1)} seconds)</span> : null}
    </div>
  );
}

export function ProgressView({ el }: { el: Progress }) {
  const value = Math.max(0, Math.min(100, el.value));
  return (
    <div className="progress" data-testid="stProgress">
      {el.text_html ? <Html html={el.text_html} /> : null}
      <div className="progress-track" role="progressbar" aria-valuenow={value} aria-valuemin={0} aria-valuemax={100}>
        <ProgressFill value={value} />
      </div>
    </div>
  );
}

function ProgressFill({ value }: { value: number }) {
  // Set through the CSSOM (allowed by the CSP), not a style attribute in markup.
  return <div className="progress-fill" ref={(node) => node?.style.setProperty("width", `${value}%`)} />;
}

export function BalloonsElement({ nonce, kind }: { nonce: number; kind?: "balloons" | "snow" }) {
  return <BalloonsView nonce={nonce} kind={kind ?? "balloons"} />;
}

const SPACE_REM = { small: 0.75, medium: 2.5, large: 4.25 } as const;

export function SpaceView({ el }: { el: Space }) {
  const size = el.size ?? "small";
  const height = typeof size === "number" ? `${size}px` : `${SPACE_REM[size]}rem`;
  return <div data-testid="stSpace" ref={(node) => node?.style.setProperty("height", height)} />;
}

/** st.help: every field is plain text. */
export function DocStringView({ el }: { el: DocString }) {
  return (
    <div className="docstring" data-testid="stHelp">
      <div className="docstring-head">
        {el.name ? <code className="docstring-name">{el.name}</code> : null}
        {el.signature ? <code>{el.signature}</code> : null}
        <span className="docstring-type">{el.type_name}</span>
      </div>
      {el.value ? <pre className="docstring-value">{el.value}</pre> : null}
      {el.doc ? <pre className="docstring-doc">{el.doc}</pre> : null}
      {el.members && el.members.length ? (
        <table className="docstring-members">
          <tbody>
            {el.members.map((m) => (
              <tr key={m.name}>
                <td><code>{m.name}</code></td>
                <td className="docstring-type">{m.type_name}</td>
                <td>{m.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

export function Help({ help_html }: { help_html: string | null | undefined }) {
  if (!help_html) return null;
  return (
    <details className="help" data-testid="stTooltipIcon">
      <summary aria-label="Help">?</summary>
      <Html className="help-body" html={help_html} />
    </details>
  );
}
