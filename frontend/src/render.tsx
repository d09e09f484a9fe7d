// Turns tree nodes into React elements. Unknown element or block types (a newer server) render
// nothing rather than failing: additive protocol changes keep the version.
import { createContext, memo, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from "react";
import type { Block, Element } from "./generated/protocol";
import { FormContext, FragmentContext, FragmentScope, useSession, type FormInfo } from "./context";
import { lazyView } from "./lazyView";
import { Html, unwrapParagraph } from "./Html";
import type { BlockNode, TreeNode } from "./tree";
import * as text from "./elements/text";
import * as widgets from "./elements/widgets";
import * as charts from "./elements/charts";
import { PageLinkView } from "./elements/pages";
import * as media from "./elements/Media";
import { FileUploaderView } from "./elements/Uploader";
import * as inputs2 from "./elements/inputs2";
import * as overlays from "./elements/overlays";
import * as chat from "./elements/chat";
import { FrameView } from "./elements/Frame";

// The grid and apache-arrow load only when a page shows a dataframe.
const Grid = lazyView(
  () => import("./elements/grid/Grid"),
  <div className="grid-loading" data-testid="stDataFrameLoading" />,
);
import * as compat from "./elements/compat";

function ElementView({ el }: { el: Element }): ReactNode {
  switch (el.type) {
    case "heading":
      return <text.HeadingView el={el} />;
    case "markdown":
      return <text.MarkdownView el={el} />;
    case "text":
      return <text.TextView el={el} />;
    case "code":
      return <text.CodeView el={el} />;
    case "json":
      return <text.JsonElement el={el} />;
    case "divider":
      return <text.DividerView />;
    case "metric":
      return <text.MetricView el={el} />;
    case "alert":
      return <text.AlertView el={el} />;
    case "exception":
      return <text.ExceptionView el={el} />;
    case "spinner":
      return <text.SpinnerView el={el} />;
    case "progress":
      return <text.ProgressView el={el} />;
    case "balloons":
      return <text.BalloonsElement nonce={el.nonce} kind={el.kind} />;
    case "space":
      return <text.SpaceView el={el} />;
    case "docstring":
      return <text.DocStringView el={el} />;
    case "empty":
      return null;
    case "button":
      return <widgets.ButtonView el={el} />;
    case "checkbox":
      return <widgets.CheckboxView el={el} />;
    case "radio":
      return <widgets.RadioView el={el} />;
    case "selectbox":
      return <widgets.SelectboxView el={el} />;
    case "multiselect":
      return <widgets.MultiselectView el={el} />;
    case "slider":
      return <widgets.SliderView el={el} />;
    case "select_slider":
      return <widgets.SelectSliderView el={el} />;
    case "text_input":
      return <widgets.TextInputView el={el} />;
    case "number_input":
      return <widgets.NumberInputView el={el} />;
    case "vega_lite_chart":
      return <charts.VegaLiteChartView el={el} />;
    case "plotly_chart":
      return <charts.PlotlyChartView el={el} />;
    case "chart_image":
      return <charts.ChartImageView el={el} />;
    case "page_link":
      return <PageLinkView el={el} />;
    case "image":
      return <media.ImageView el={el} />;
    case "audio":
      return <media.AudioView el={el} />;
    case "video":
      return <media.VideoView el={el} />;
    case "download_button":
      return <media.DownloadButtonView el={el} />;
    case "link_button":
      return <media.LinkButtonView el={el} />;
    case "logo":
      return <media.LogoView el={el} />;
    case "file_uploader":
      return <FileUploaderView el={el} />;
    case "date_input":
      return <inputs2.DateInputView el={el} />;
    case "time_input":
      return <inputs2.TimeInputView el={el} />;
    case "color_picker":
      return <inputs2.ColorPickerView el={el} />;
    case "button_group":
      return <inputs2.ButtonGroupView el={el} />;
    case "chat_input":
      return <chat.ChatInputView el={el} />;
    case "html":
      return <Html className="element html" testId="stHtml" html={el.body_html} />;
    case "frame":
      return <FrameView el={el} />;
    case "dataframe":
      return <Grid el={el} />;
    case "datetime_input":
      return <compat.DateTimeInputView el={el} />;
    case "pdf":
      return <compat.PdfView el={el} />;
    case "graphviz_chart":
      return <compat.GraphvizView el={el} />;
    default:
      return null;
  }
}

export interface RenderContext {
  readonly run: number;
  readonly running: boolean;
  readonly formEpoch: Readonly<Record<string, number>>;
  readonly fragments: ReadonlyArray<string>; // a fragment run's fragments; empty for a full run
}

/** The current run, read by `Children` (a context, so that a new run does not change the props of
 *  every node: memoized nodes whose content and staleness did not change skip rendering). */
export const RunContext = createContext<RenderContext>({ run: 0, running: false, formEpoch: {}, fragments: [] });

/** A fragment run leaves everything outside its fragments' blocks alone (never stale). */
function isStale(node: TreeNode, ctx: RenderContext, inFragmentRun: boolean): boolean {
  return ctx.running && node.run !== ctx.run && (ctx.fragments.length === 0 || inFragmentRun);
}

/** A `Same` re-tags a node with the new run, which makes a new node object around the same
 *  element: compare what is shown, not the wrapper, or every rerun would re-render every node. */
function sameNode(a: TreeNode, b: TreeNode): boolean {
  if (a === b) return true;
  if (a.kind === "element" && b.kind === "element") return a.element === b.element;
  if (a.kind === "block" && b.kind === "block") return a.block === b.block && a.children === b.children;
  return false;
}

function sameProps(a: { node: TreeNode; stale: boolean }, b: { node: TreeNode; stale: boolean }): boolean {
  return a.stale === b.stale && sameNode(a.node, b.node);
}

export const NodeView = memo(function NodeView({ node, stale }: { node: TreeNode; stale: boolean }) {
  if (node.kind === "element") {
    // Keyed wrapper: a new element object at this position re-renders; the same one is skipped.
    return (
      <div className={`element${stale ? " stale" : ""}`} data-stale={stale || undefined} data-testid="stElementContainer">
        <ElementView el={node.element} />
      </div>
    );
  }
  return <BlockView node={node} stale={stale} />;
}, sameProps);

export function Children({ node }: { node: BlockNode }) {
  const ctx = useContext(RunContext);
  const inFragmentRun = useContext(FragmentScope);
  return (
    <>
      {node.children.map((child, i) =>
        child ? <NodeView key={i} node={child} stale={isStale(child, ctx, inFragmentRun)} /> : null,
      )}
    </>
  );
}

function BlockView({ node, stale }: { node: BlockNode; stale: boolean }) {
  const block = node.block as Block;
  const cls = stale ? " stale" : "";
  switch (block.type) {
    case "vertical":
      return (
        <div
          className={`block vertical${block.border ? " bordered" : ""}${block.height ? " scroll" : ""}${cls}`}
          data-testid="stVerticalBlock"
          ref={(el) => {
            if (el && block.height) el.style.setProperty("height", `${block.height}px`);
          }}
        >
          <Children node={node} />
        </div>
      );
    case "columns":
      return (
        <div className={`block columns gap-${block.gap ?? "small"}${cls}`} data-testid="stHorizontalBlock">
          <Children node={node} />
        </div>
      );
    case "column":
      return (
        <div
          className={`block column align-${block.vertical_alignment ?? "top"}${block.border ? " bordered" : ""}${cls}`}
          data-testid="stColumn"
          ref={(el) => el?.style.setProperty("flex", `${block.weight} 1 0`)}
        >
          <Children node={node} />
        </div>
      );
    case "expander":
      return (
        <details className={`block expander${cls}`} data-testid="stExpander" open={block.expanded}>
          <summary>
            {block.icon ? <span className="expander-icon">{block.icon}</span> : null}
            <Html as="span" html={unwrapParagraph(block.label_html)} />
          </summary>
          <div className="expander-body">
            <Children node={node} />
          </div>
        </details>
      );
    case "form":
      return <FormView node={node} cls={cls} formId={block.form_id} block={block} />;
    case "tabs":
      return <TabsView node={node} cls={cls} labels={block.labels_html} />;
    case "chat_message":
      return (
        <chat.ChatMessageView block={block} cls={cls}>
          <Children node={node} />
        </chat.ChatMessageView>
      );
    case "tab":
      return (
        <div className={`block tab${cls}`} data-testid="stTab" role="tabpanel">
          <Children node={node} />
        </div>
      );
    case "fragment":
      return <overlays.FragmentView node={node} cls={cls} fragmentId={block.fragment_id} />;
    case "dialog":
      return <overlays.DialogView node={node} block={block} />;
    case "popover":
      return <overlays.PopoverView node={node} cls={cls} block={block} />;
    case "status":
      return <overlays.StatusView node={node} cls={cls} block={block} />;
    default:
      return null;
  }
}

function TabsView({ node, cls, labels }: { node: BlockNode; cls: string; labels: string[] }) {
  const ctx = useContext(RunContext);
  const inFragmentRun = useContext(FragmentScope);
  const [active, setActive] = useState(0);
  const current = Math.min(active, Math.max(0, labels.length - 1));
  const panel = node.children[current];
  return (
    <div className={`block tabs${cls}`} data-testid="stTabs">
      <div className="tab-list" role="tablist">
        {labels.map((label, i) => (
          <button
            key={i}
            type="button"
            role="tab"
            aria-selected={i === current}
            className={`tab-button${i === current ? " active" : ""}`}
            onClick={() => setActive(i)}
          >
            <Html as="span" html={unwrapParagraph(label)} />
          </button>
        ))}
      </div>
      {panel ? <NodeView node={panel} stale={isStale(panel, ctx, inFragmentRun)} /> : null}
    </div>
  );
}

function FormView({
  node,
  cls,
  formId,
  block,
}: {
  node: BlockNode;
  cls: string;
  formId: string;
  block: { clear_on_submit?: boolean; enter_to_submit?: boolean; border?: boolean };
}) {
  const session = useSession();
  const submitButtons = useRef<string[]>([]);
  const fragment = useContext(FragmentContext);
  const epoch = useContext(RunContext).formEpoch[formId] ?? 0;
  const clearOnSubmit = block.clear_on_submit ?? false;
  const registerSubmit = useCallback((id: string) => {
    submitButtons.current.push(id);
    return () => {
      submitButtons.current = submitButtons.current.filter((x) => x !== id);
    };
  }, []);
  const info = useMemo<FormInfo>(
    () => ({
      formId,
      clearOnSubmit,
      enterToSubmit: block.enter_to_submit ?? true,
      epoch,
      registerSubmit,
      submitDefault: () => {
        const first = submitButtons.current[0];
        if (first) session.submitForm(formId, first, clearOnSubmit, fragment);
      },
    }),
    [formId, clearOnSubmit, block.enter_to_submit, epoch, registerSubmit, session, fragment],
  );
  return (
    <FormContext.Provider value={info}>
      <div className={`block form${block.border === false ? "" : " bordered"}${cls}`} data-testid="stForm">
        <Children node={node} />
      </div>
    </FormContext.Provider>
  );
}
