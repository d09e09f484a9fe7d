// Input widgets. Each keeps a local value for instant feedback, adopts the server's value whenever
// the server sends the element again (that is how st.session_state writes arrive), and reports
// changes through the session: at once outside a form, batched until submit inside one.
import {
  useContext,
  useEffect,
  useId,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactNode,
} from "react";
import type {
  Button,
  Checkbox,
  Multiselect,
  NumberInput,
  Radio,
  SelectSlider,
  Selectbox,
  Slider,
  TextInput,
} from "../generated/protocol";
import { FormContext, useSession } from "../context";
import { Html, unwrapParagraph } from "../Html";
import type { WidgetValue } from "../session";
import { formatNumber } from "./format";
import { Help } from "./text";

type Visibility = "visible" | "hidden" | "collapsed" | undefined;

/** Local widget state that resets to the server's value when the element is re-sent or the
 *  enclosing form is cleared. */
export function useWidgetState<T>(serverValue: T, element: object): [T, (value: T) => void] {
  const form = useContext(FormContext);
  const epoch = form?.epoch ?? 0;
  const [value, setValue] = useState(serverValue);
  const [seen, setSeen] = useState({ element, epoch });
  if (seen.element !== element || seen.epoch !== epoch) {
    setSeen({ element, epoch });
    setValue(serverValue);
  }
  return [value, setValue];
}

export function useCommit(id: string, formId: string | null | undefined): (value: WidgetValue) => void {
  const session = useSession();
  return (value) => session.setWidget(id, value, formId);
}

export function Label({
  label_html,
  visibility,
  htmlFor,
  help_html,
  as = "label",
}: {
  label_html: string;
  visibility: Visibility;
  htmlFor?: string;
  help_html?: string | null;
  as?: "label" | "span";
}) {
  if (visibility === "collapsed") return null;
  return (
    <div className={`widget-label${visibility === "hidden" ? " hidden" : ""}`} data-testid="stWidgetLabel">
      <Html as={as === "label" ? "label" : "span"} htmlFor={htmlFor} html={unwrapParagraph(label_html)} />
      <Help help_html={help_html} />
    </div>
  );
}

export function Widget({ testId, children, disabled }: { testId: string; children: ReactNode; disabled?: boolean }) {
  return (
    <div className={`widget${disabled ? " disabled" : ""}`} data-testid={testId}>
      {children}
    </div>
  );
}

export function ButtonView({ el }: { el: Button }) {
  const session = useSession();
  const form = useContext(FormContext);
  useEffect(() => {
    if (el.form_submit && form) return form.registerSubmit(el.id);
  }, [el.form_submit, el.id, form]);
  const onClick = () => {
    if (el.form_submit && el.form_id) {
      session.submitForm(el.form_id, el.id, form?.clearOnSubmit ?? false);
    } else {
      session.setWidget(el.id, true, null);
    }
  };
  return (
    <Widget testId={el.form_submit ? "stFormSubmitButton" : "stButton"} disabled={el.disabled}>
      <button
        type="button"
        className={`button button-${el.kind ?? "secondary"}${el.use_container_width ? " full" : ""}`}
        disabled={el.disabled}
        onClick={onClick}
      >
        {el.icon ? <span className="button-icon">{el.icon}</span> : null}
        <Html as="span" html={unwrapParagraph(el.label_html)} />
      </button>
      <Help help_html={el.help_html} />
    </Widget>
  );
}

export function CheckboxView({ el }: { el: Checkbox }) {
  const [value, setValue] = useWidgetState(el.value, el);
  const commit = useCommit(el.id, el.form_id);
  const id = useId();
  const toggle = el.style === "toggle";
  return (
    <Widget testId={toggle ? "stToggle" : "stCheckbox"} disabled={el.disabled}>
      <div className={`checkbox${toggle ? " toggle" : ""}`}>
        <input
          id={id}
          type="checkbox"
          role={toggle ? "switch" : undefined}
          checked={value}
          disabled={el.disabled}
          onChange={(e) => {
            setValue(e.target.checked);
            commit(e.target.checked);
          }}
        />
        <Label label_html={el.label_html} visibility={el.label_visibility} htmlFor={id} help_html={el.help_html} />
      </div>
    </Widget>
  );
}

export function RadioView({ el }: { el: Radio }) {
  const [value, setValue] = useWidgetState(el.index, el);
  const commit = useCommit(el.id, el.form_id);
  const name = useId();
  return (
    <Widget testId="stRadio" disabled={el.disabled}>
      <Label as="span" label_html={el.label_html} visibility={el.label_visibility} help_html={el.help_html} />
      <div className={`radio-group${el.horizontal ? " horizontal" : ""}`} role="radiogroup">
        {el.options_html.map((option, i) => (
          <label key={i} className="radio-option">
            <input
              type="radio"
              name={name}
              checked={value === i}
              disabled={el.disabled}
              onChange={() => {
                setValue(i);
                commit(i);
              }}
            />
            <Html as="span" html={unwrapParagraph(option)} />
            {el.captions_html?.[i] ? <Html className="radio-caption" html={el.captions_html[i]} /> : null}
          </label>
        ))}
      </div>
    </Widget>
  );
}

export function SelectboxView({ el }: { el: Selectbox }) {
  const [value, setValue] = useWidgetState(el.index, el);
  const commit = useCommit(el.id, el.form_id);
  const id = useId();
  return (
    <Widget testId="stSelectbox" disabled={el.disabled}>
      <Label label_html={el.label_html} visibility={el.label_visibility} htmlFor={id} help_html={el.help_html} />
      <select
        id={id}
        value={value === null ? "" : String(value)}
        disabled={el.disabled}
        onChange={(e) => {
          const index = e.target.value === "" ? null : Number(e.target.value);
          setValue(index);
          commit(index);
        }}
      >
        {value === null ? <option value="">{el.placeholder || "Choose an option"}</option> : null}
        {el.options.map((option, i) => (
          <option key={i} value={i}>
            {option}
          </option>
        ))}
      </select>
    </Widget>
  );
}

export function MultiselectView({ el }: { el: Multiselect }) {
  const [value, setValue] = useWidgetState<number[]>([...el.indices], el);
  const commit = useCommit(el.id, el.form_id);
  const id = useId();
  const change = (next: number[]) => {
    setValue(next);
    commit(next);
  };
  const full = el.max_selections != null && value.length >= el.max_selections;
  const remaining = el.options.map((_, i) => i).filter((i) => !value.includes(i));
  return (
    <Widget testId="stMultiSelect" disabled={el.disabled}>
      <Label label_html={el.label_html} visibility={el.label_visibility} htmlFor={id} help_html={el.help_html} />
      <div className="multiselect">
        {value.map((i) => (
          <span key={i} className="chip" data-testid="stMultiSelectChip">
            {el.options[i]}
            <button
              type="button"
              aria-label={`Remove ${el.options[i] ?? ""}`}
              disabled={el.disabled}
              onClick={() => change(value.filter((v) => v !== i))}
            >
              ×
            </button>
          </span>
        ))}
        <select
          id={id}
          value=""
          disabled={el.disabled || full || remaining.length === 0}
          onChange={(e) => {
            if (e.target.value !== "") change([...value, Number(e.target.value)]);
          }}
        >
          <option value="">{full ? "Maximum reached" : el.placeholder || "Choose an option"}</option>
          {remaining.map((i) => (
            <option key={i} value={i}>
              {el.options[i]}
            </option>
          ))}
        </select>
      </div>
    </Widget>
  );
}

/** Range inputs that report while dragging (local) and commit on release (native `change`). */
function RangeInputs({
  values,
  min,
  max,
  step,
  disabled,
  label,
  onInput,
  onCommit,
}: {
  values: number[];
  min: number;
  max: number;
  step: number;
  disabled: boolean | undefined;
  label: string;
  onInput: (values: number[]) => void;
  onCommit: (values: number[]) => void;
}) {
  const refs = useRef<(HTMLInputElement | null)[]>([]);
  const latest = useRef(values);
  latest.current = values;
  const commitRef = useRef(onCommit);
  commitRef.current = onCommit;
  useEffect(() => {
    const inputs = refs.current.filter((x): x is HTMLInputElement => x !== null);
    const handler = () => commitRef.current(latest.current);
    for (const input of inputs) input.addEventListener("change", handler);
    return () => {
      for (const input of inputs) input.removeEventListener("change", handler);
    };
  }, [values.length]);
  return (
    <div className={`range${values.length === 2 ? " double" : ""}`}>
      {values.map((v, i) => (
        <input
          key={i}
          ref={(node) => {
            refs.current[i] = node;
          }}
          type="range"
          role="slider"
          aria-label={values.length === 2 ? `${label} ${i === 0 ? "start" : "end"}` : label}
          min={min}
          max={max}
          step={step}
          value={v}
          disabled={disabled}
          onChange={(e) => {
            const next = [...values];
            next[i] = Number(e.target.value);
            if (next.length === 2 && next[0]! > next[1]!) next.sort((a, b) => a - b);
            latest.current = next;
            onInput(next);
          }}
        />
      ))}
    </div>
  );
}

function plain(html: string): string {
  return html.replace(/<[^>]*>/g, "").trim();
}

export function SliderView({ el }: { el: Slider }) {
  const [value, setValue] = useWidgetState<number[]>([...el.value], el);
  const commit = useCommit(el.id, el.form_id);
  const show = (v: number) => formatNumber(v, el.format, el.data_type);
  return (
    <Widget testId="stSlider" disabled={el.disabled}>
      <Label as="span" label_html={el.label_html} visibility={el.label_visibility} help_html={el.help_html} />
      <div className="slider-value" data-testid="stSliderThumbValue">
        {value.map(show).join(" – ")}
      </div>
      <RangeInputs
        values={value}
        min={el.min}
        max={el.max}
        step={el.step}
        disabled={el.disabled}
        label={plain(el.label_html)}
        onInput={setValue}
        onCommit={(v) => commit(v)}
      />
      <div className="slider-bounds">
        <span>{show(el.min)}</span>
        <span>{show(el.max)}</span>
      </div>
    </Widget>
  );
}

export function SelectSliderView({ el }: { el: SelectSlider }) {
  const [value, setValue] = useWidgetState<number[]>([...el.value], el);
  const commit = useCommit(el.id, el.form_id);
  return (
    <Widget testId="stSelectSlider" disabled={el.disabled}>
      <Label as="span" label_html={el.label_html} visibility={el.label_visibility} help_html={el.help_html} />
      <div className="slider-value" data-testid="stSliderThumbValue">
        {value.map((i) => el.options[i] ?? "").join(" – ")}
      </div>
      <RangeInputs
        values={value}
        min={0}
        max={Math.max(0, el.options.length - 1)}
        step={1}
        disabled={el.disabled}
        label={plain(el.label_html)}
        onInput={setValue}
        onCommit={(v) => commit(v)}
      />
    </Widget>
  );
}

export function TextInputView({ el }: { el: TextInput }) {
  const [value, setValue] = useWidgetState<string | null>(el.value, el);
  const commit = useCommit(el.id, el.form_id);
  const form = useContext(FormContext);
  const committed = useRef(el.value);
  const id = useId();
  if (committed.current !== el.value && value === el.value) committed.current = el.value;
  const send = () => {
    if (value === committed.current) return;
    committed.current = value;
    commit(value);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement | HTMLTextAreaElement>) => {
    const submitKey = el.multiline ? e.key === "Enter" && (e.ctrlKey || e.metaKey) : e.key === "Enter";
    if (!submitKey) return;
    e.preventDefault();
    send();
    if (form && el.form_id && form.enterToSubmit) form.submitDefault();
  };
  const common = {
    id,
    value: value ?? "",
    placeholder: el.placeholder ?? "",
    disabled: el.disabled,
    maxLength: el.max_chars ?? undefined,
    autoComplete: el.autocomplete ?? undefined,
    onBlur: send,
    onKeyDown,
  };
  return (
    <Widget testId={el.multiline ? "stTextArea" : "stTextInput"} disabled={el.disabled}>
      <Label label_html={el.label_html} visibility={el.label_visibility} htmlFor={id} help_html={el.help_html} />
      {el.multiline ? (
        <textarea
          {...common}
          rows={el.height ? Math.max(2, Math.round(el.height / 24)) : 4}
          onChange={(e) => {
            setValue(e.target.value);
            if (el.form_id) commit(e.target.value);
          }}
        />
      ) : (
        <input
          {...common}
          type={el.input_type === "password" ? "password" : "text"}
          onChange={(e) => {
            setValue(e.target.value);
            if (el.form_id) commit(e.target.value);
          }}
        />
      )}
      {el.max_chars ? (
        <div className="char-count">
          {(value ?? "").length}/{el.max_chars}
        </div>
      ) : null}
    </Widget>
  );
}

export function NumberInputView({ el }: { el: NumberInput }) {
  const [text, setText] = useWidgetState<string>(
    el.value === null || el.value === undefined ? "" : formatNumber(el.value, el.format, el.data_type),
    el,
  );
  const commit = useCommit(el.id, el.form_id);
  const form = useContext(FormContext);
  const id = useId();
  const parse = (raw: string): number | null => {
    if (raw.trim() === "") return null;
    const n = Number(raw);
    if (!Number.isFinite(n)) return null;
    return el.data_type === "int" ? Math.round(n) : n;
  };
  const clamp = (n: number) => Math.min(el.max ?? Infinity, Math.max(el.min ?? -Infinity, n));
  const committed = useRef<{ element: object; value: number | null }>({ element: el, value: el.value ?? null });
  if (committed.current.element !== el) committed.current = { element: el, value: el.value ?? null };
  const send = (raw: string) => {
    const n = parse(raw);
    const value = n === null ? null : clamp(n);
    setText(value === null ? "" : formatNumber(value, el.format, el.data_type));
    if (value === committed.current.value) return;
    committed.current = { element: el, value };
    commit(value);
  };
  const stepBy = (sign: 1 | -1) => {
    const current = parse(text) ?? el.min ?? 0;
    const next = clamp(Number((current + sign * el.step).toPrecision(12)));
    send(String(next));
  };
  return (
    <Widget testId="stNumberInput" disabled={el.disabled}>
      <Label label_html={el.label_html} visibility={el.label_visibility} htmlFor={id} help_html={el.help_html} />
      <div className="number-input">
        <input
          id={id}
          type="text"
          inputMode={el.data_type === "int" ? "numeric" : "decimal"}
          value={text}
          placeholder={el.placeholder ?? ""}
          disabled={el.disabled}
          onChange={(e) => setText(e.target.value)}
          onBlur={() => send(text)}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              send(text);
              if (form && el.form_id && form.enterToSubmit) form.submitDefault();
            } else if (e.key === "ArrowUp") {
              e.preventDefault();
              stepBy(1);
            } else if (e.key === "ArrowDown") {
              e.preventDefault();
              stepBy(-1);
            }
          }}
        />
        <button type="button" aria-label="Decrement" disabled={el.disabled} onClick={() => stepBy(-1)}>
          −
        </button>
        <button type="button" aria-label="Increment" disabled={el.disabled} onClick={() => stepBy(1)}>
          +
        </button>
      </div>
    </Widget>
  );
}
