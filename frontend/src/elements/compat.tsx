// st.datetime_input, st.pdf, st.graphviz_chart and st.audio_input views. The PDF is framed from
// the media route, whose response carries `Content-Security-Policy: sandbox` (an opaque origin
// without script), so nothing a PDF carries can reach this page; the download link is the
// fallback when the browser cannot show PDFs inline. Graphviz SVG is shown only through <img>.
import { useEffect, useId, useRef, useState } from "react";
import type { DateTimeInput, FileUploader, GraphvizChart, Pdf } from "../generated/protocol";
import { useSession } from "../context";
import { Label, Widget, useCommit, useWidgetState } from "./widgets";
import { mediaUrl } from "./mediaUrl";
import { upload } from "./Uploader";
import "./compat.css";

export function DateTimeInputView({ el }: { el: DateTimeInput }) {
  const [value, setValue] = useWidgetState(el.value ?? "", el);
  const commit = useCommit(el.id, el.form_id);
  const id = useId();
  return (
    <Widget testId="stDateTimeInput" disabled={el.disabled}>
      <Label label_html={el.label_html} visibility={el.label_visibility} htmlFor={id} help_html={el.help_html} />
      <input
        id={id}
        type="datetime-local"
        className="datetime-input"
        min={el.min}
        max={el.max}
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

export function PdfView({ el }: { el: Pdf }) {
  const url = mediaUrl(el.url);
  return (
    <div className="pdf" data-testid="stPdf">
      <iframe src={url} title={el.name} height={el.height} className="pdf-frame" />
      <a href={url} download={el.name} className="pdf-download">
        Download {el.name}
      </a>
    </div>
  );
}

export function GraphvizView({ el }: { el: GraphvizChart }) {
  return (
    <div className={`graphviz${el.use_container_width ? " stretch" : ""}`} data-testid="stGraphVizChart">
      <img src={mediaUrl(el.url)} alt="Graph" />
    </div>
  );
}

// 16-bit PCM WAV of the decoded recording (Streamlit hands scripts WAV too); WebM if the
// browser cannot decode its own recording.
async function toWav(blob: Blob, sampleRate: number | null | undefined): Promise<Blob> {
  // decodeAudioData resamples to the context's rate: the script gets the rate it asked for.
  const ctx = sampleRate ? new AudioContext({ sampleRate }) : new AudioContext();
  try {
    const audio = await ctx.decodeAudioData(await blob.arrayBuffer());
    const channels = Math.min(audio.numberOfChannels, 2);
    const frames = audio.length;
    const buffer = new ArrayBuffer(44 + frames * channels * 2);
    const view = new DataView(buffer);
    const text = (offset: number, s: string) => [...s].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
    text(0, "RIFF");
    view.setUint32(4, 36 + frames * channels * 2, true);
    text(8, "WAVEfmt ");
    view.setUint32(16, 16, true);
    view.setUint16(20, 1, true);
    view.setUint16(22, channels, true);
    view.setUint32(24, audio.sampleRate, true);
    view.setUint32(28, audio.sampleRate * channels * 2, true);
    view.setUint16(32, channels * 2, true);
    view.setUint16(34, 16, true);
    text(36, "data");
    view.setUint32(40, frames * channels * 2, true);
    const data = Array.from({ length: channels }, (_, c) => audio.getChannelData(c));
    let offset = 44;
    for (let i = 0; i < frames; i++) {
      for (const ch of data) {
        const s = Math.max(-1, Math.min(1, ch[i] ?? 0));
        view.setInt16(offset, s < 0 ? s * 0x8000 : s * 0x7fff, true);
        offset += 2;
      }
    }
    return new Blob([buffer], { type: "audio/wav" });
  } finally {
    void ctx.close();
  }
}

export function AudioInputView({ el }: { el: FileUploader }) {
  const session = useSession();
  const [recorder, setRecorder] = useState<MediaRecorder | null>(null);
  const [clip, setClip] = useState<string | null>(null);
  const [name, setName] = useState<string | null>(el.files?.[0]?.name ?? null);
  const [error, setError] = useState<string | null>(null);
  const chunks = useRef<Blob[]>([]);
  useEffect(() => () => (clip ? URL.revokeObjectURL(clip) : undefined), [clip]);

  const start = async () => {
    setError(null);
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
      const rec = new MediaRecorder(stream);
      chunks.current = [];
      rec.ondataavailable = (e) => chunks.current.push(e.data);
      rec.onstop = () => {
        stream.getTracks().forEach((t) => t.stop());
        void finish(new Blob(chunks.current, { type: rec.mimeType || "audio/webm" }));
      };
      rec.start();
      setRecorder(rec);
    } catch (e) {
      setError(`microphone unavailable: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  const finish = async (recorded: Blob) => {
    setRecorder(null);
    let file = recorded;
    let fileName = "recording.webm";
    try {
      file = await toWav(recorded, el.sample_rate);
      fileName = "recording.wav";
    } catch {
      // keep the browser's own format
    }
    try {
      const info = await upload(el, file, fileName);
      setClip(URL.createObjectURL(file));
      setName(info.name);
      session.setWidget(el.id, [info.file_id], el.form_id);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  const clear = () => {
    setClip(null);
    setName(null);
    session.setWidget(el.id, [], el.form_id);
  };

  return (
    <Widget testId="stAudioInput" disabled={el.disabled}>
      <Label label_html={el.label_html} visibility={el.label_visibility} help_html={el.help_html} />
      {recorder ? (
        <button type="button" className="button" onClick={() => recorder.stop()}>
          Stop recording
        </button>
      ) : name ? (
        <div className="audio-input-done">
          {clip ? <audio controls src={clip} /> : <span>{name}</span>}
          <button type="button" className="button" disabled={el.disabled ?? false} onClick={clear}>
            Clear recording
          </button>
        </div>
      ) : (
        <button type="button" className="button" disabled={el.disabled ?? false} onClick={() => void start()}>
          Record
        </button>
      )}
      {error ? (
        <div className="uploader-error" role="alert">
          {error}
        </div>
      ) : null}
    </Widget>
  );
}
