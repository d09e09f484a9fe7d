// More inputs: date, time, color, and button groups (pills, segmented control, feedback). Native
// controls where the browser has one (date, time and color pickers are accessible and need no
// library); values go out in the protocol's wire shapes and the server validates each.
import { useEffect, useId, useRef } from "react";
import type { ButtonGroup, ColorPicker, DateInput, TimeInput } from "../generated/protocol";
import { Html, unwrapParagraph } from "../Html";
import { Label, Widget, useCommit, useWidgetState } from "./widgets";
import { Help } from "./text";
import "./inputs2.css";

export function DateInputView({ el }: { el: DateInput }) {
  const [value, setValue] = useWidgetState<string[]>([...el.value], el);
  const commit = useCommit(el.id, el.form_id);
  const id = useId();
  const change = (i: number, v: string) => {
    let next = [...value];
    if (el.is_range) {
      next[i] = v;
      next = next.filter((x) => x !== "" && x !== undefined);
      if (next.length === 2 && next[0]! > next[1]!) next.sort();
    } else {
      next = v ? [v] : [];
    }
    setValue(next);
    commit(next);
  };
  const slots = el.is_range ? [0, 1] : [0];
  return (
    <Widget testId="stDateInput" disabled={el.disabled}>
      <Label label_html={el.label_html} visibility={el.label_visibility} htmlFor={id} help_html={el.help_html} />
      <div className="date-input" data-format={el.format}>
        {slots.map((i) => (
          <input
            key={i}
            id={i === 0 ? id : undefined}
            type="date"
            aria-label={el.is_range ? (i === 0 ? "start date" : "end date") : undefined}
            min={el.min}
            max={el.max}
            value={value[i] ?? ""}
            disabled={el.disabled}
            onChange={(e) => change(i, e.target.value)}
          />
        ))}
      </div>
    </Widget>
  );
}

export function TimeInputView({ el }: { el: TimeInput }) {
  const [value, setValue] = useWidgetState(el.value ?? "", el);
  const commit = useCommit(el.id, el.form_id);
  const id = useId();
  return (
    <Widget testId="stTimeInput" disabled={el.disabled}>
      <Label label_html={el.label_html} visibility={el.label_visibility} htmlFor={id} help_html={el.help_html} />
      <input
        id={id}
        type="time"
        className="time-input"
        step={el.step}
        value={value}
        disabled={el.disabled}
        onChange={(e) => {
          setValue(e.target.value);
          commit(e.target.value === "" ? null : e.target.value);
        }}
      />
    </Widget>
  );
}

export function ColorPickerView({ el }: { el: ColorPicker }) {
  const [value, setValue] = useWidgetState(el.value, el);
  const commit = useCommit(el.id, el.form_id);
  const id = useId();
  const ref = useRef<HTMLInputElement | null>(null);
  const commitRef = useRef(commit);
  commitRef.current = commit;
  useEffect(() => {
    // `input` fires continuously while the user drags in the picker; `change` once at the end.
    const input = ref.current;
    if (!input) return;
    const handler = () => commitRef.current(input.value.toLowerCase());
    input.addEventListener("change", handler);
    return () => input.removeEventListener("change", handler);
  }, []);
  return (
    <Widget testId="stColorPicker" disabled={el.disabled}>
      <Label label_html={el.label_html} visibility={el.label_visibility} htmlFor={id} help_html={el.help_html} />
      <div className="color-picker">
        <input
          ref={ref}
          id={id}
          type="color"
          value={value}
          disabled={el.disabled}
          onChange={(e) => setValue(e.target.value.toLowerCase())}
        />
        <span className="color-value">{value}</span>
      </div>
    </Widget>
  );
}

const FEEDBACK_NAMES: Record<string, string[]> = {
  thumbs: ["thumbs down", "thumbs up"],
  faces: ["very unhappy", "unhappy", "neutral", "happy", "very happy"],
  stars: ["1 star", "2 stars", "3 stars", "4 stars", "5 stars"],
};

export function ButtonGroupView({ el }: { el: ButtonGroup }) {
  const [value, setValue] = useWidgetState<number[]>([...el.value], el);
  const commit = useCommit(el.id, el.form_id);
  const multi = el.selection_mode === "multi";
  const feedback = FEEDBACK_NAMES[el.style];
  const click = (i: number) => {
    let next: number[];
    if (multi) next = value.includes(i) ? value.filter((v) => v !== i) : [...value, i].sort((a, b) => a - b);
    else next = value[0] === i ? [] : [i];
    setValue(next);
    commit(multi ? next : (next[0] ?? null));
  };
  const highlighted = (i: number) =>
    el.style === "stars" ? value.length > 0 && i <= value[0]! : value.includes(i);
  const testId = el.style === "pills" ? "stPills" : el.style === "segmented_control" ? "stSegmentedControl" : "stFeedback";
  return (
    <Widget testId={testId} disabled={el.disabled}>
      {feedback ? null : (
        <Label as="span" label_html={el.label_html} visibility={el.label_visibility} help_html={el.help_html} />
      )}
      <div className={`button-group bg-${el.style}`} role="group">
        {el.options_html.map((option, i) => (
          <button
            key={i}
            type="button"
            className={`bg-option${highlighted(i) ? " selected" : ""}`}
            aria-pressed={value.includes(i)}
            aria-label={feedback ? feedback[i] : undefined}
            disabled={el.disabled}
            onClick={() => click(i)}
          >
            <Html as="span" html={unwrapParagraph(option)} />
          </button>
        ))}
      </div>
      {feedback ? <Help help_html={el.help_html} /> : null}
    </Widget>
  );
}
