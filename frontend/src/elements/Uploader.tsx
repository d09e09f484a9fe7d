// st.file_uploader and st.camera_input: each file is POSTed to the widget's upload URL (the
// server streams it to disk and enforces type and size while reading); the widget's value is the
// list of file ids the server answered. Type and size are checked here first only to spare the
// user a useless upload: the server's check is the one that counts.
import { useEffect, useId, useRef, useState, type DragEvent } from "react";
import type { FileUploader, UploadedFileInfo } from "../generated/protocol";
import { useSession } from "../context";
import { Html, unwrapParagraph } from "../Html";
import { Help } from "./text";
import { formatBytes, mediaUrl, uploadHeaders } from "./mediaUrl";
import "./media.css";
import { AudioInputView } from "./compat";

type Info = Omit<UploadedFileInfo, "type"> & { type?: string };

export async function upload(el: FileUploader, file: Blob, name: string): Promise<Info> {
  const url = `${mediaUrl(el.upload_url)}?name=${encodeURIComponent(name)}`;
  const response = await fetch(url, {
    method: "POST",
    body: file,
    headers: { "Content-Type": file.type || "application/octet-stream", ...uploadHeaders() },
    credentials: "same-origin",
  });
  const body = (await response.json().catch(() => ({}))) as { error?: string } & Partial<Info>;
  if (!response.ok || !body.file_id) throw new Error(body.error ?? `upload failed (HTTP ${response.status})`);
  return { file_id: body.file_id, name: body.name ?? name, size: body.size ?? file.size, type: body.type };
}

function checkFile(el: FileUploader, name: string, size: number): string | null {
  const accept = el.accept ?? [];
  if (accept.length && !accept.some((ext) => name.toLowerCase().endsWith(ext))) {
    return `${name}: not an accepted type (${accept.join(", ")})`;
  }
  if (el.max_bytes && size > el.max_bytes) return `${name}: larger than the ${formatBytes(el.max_bytes)} limit`;
  return null;
}

function useFiles(el: FileUploader): [Info[], (files: Info[]) => void] {
  const [files, setFiles] = useState<Info[]>(el.files ?? []);
  const [seen, setSeen] = useState(el);
  if (seen !== el) {
    setSeen(el);
    setFiles(el.files ?? []);
  }
  return [files, setFiles];
}

function WidgetLabel({ el, htmlFor }: { el: FileUploader; htmlFor?: string }) {
  if (el.label_visibility === "collapsed") return null;
  return (
    <div className={`widget-label${el.label_visibility === "hidden" ? " hidden" : ""}`} data-testid="stWidgetLabel">
      <Html as="label" htmlFor={htmlFor} html={unwrapParagraph(el.label_html)} />
      <Help help_html={el.help_html} />
    </div>
  );
}

export function FileUploaderView({ el }: { el: FileUploader }) {
  if (el.camera) return <CameraView el={el} />;
  if (el.audio) return <AudioInputView el={el} />;
  return <UploaderView el={el} />;
}

function UploaderView({ el }: { el: FileUploader }) {
  const session = useSession();
  const [files, setFiles] = useFiles(el);
  const [busy, setBusy] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [over, setOver] = useState(false);
  const id = useId();
  const multiple = el.multiple ?? false;

  const commit = (next: Info[]) => {
    setFiles(next);
    session.setWidget(el.id, next.map((f) => f.file_id), el.form_id);
  };

  const add = async (list: FileList | File[]) => {
    const picked = Array.from(list).slice(0, multiple ? undefined : 1);
    setError(null);
    let next = multiple ? [...files] : [];
    const errors: string[] = [];
    setBusy((n) => n + picked.length);
    for (const file of picked) {
      const problem = checkFile(el, file.name, file.size);
      try {
        if (problem) throw new Error(problem);
        const info = await upload(el, file, file.name);
        next = multiple ? [...next, info] : [info];
      } catch (e) {
        errors.push(e instanceof Error ? e.message : String(e));
      } finally {
        setBusy((n) => n - 1);
      }
    }
    if (errors.length) setError(errors.join("; "));
    if (next.length !== files.length || next.some((f, i) => f.file_id !== files[i]?.file_id)) commit(next);
  };

  const remove = async (fileId: string) => {
    commit(files.filter((f) => f.file_id !== fileId));
    await fetch(`${mediaUrl(el.upload_url)}/${encodeURIComponent(fileId)}`, {
      method: "DELETE",
      headers: uploadHeaders(),
      credentials: "same-origin",
    }).catch(() => undefined);
  };

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    if (!el.disabled && e.dataTransfer.files.length) void add(e.dataTransfer.files);
  };

  return (
    <div className={`widget${el.disabled ? " disabled" : ""}`} data-testid="stFileUploader">
      <WidgetLabel el={el} htmlFor={id} />
      <div
        className={`uploader-drop${over ? " over" : ""}`}
        data-testid="stFileUploaderDropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <input
          id={id}
          type="file"
          accept={(el.accept ?? []).join(",") || undefined}
          multiple={multiple}
          disabled={el.disabled ?? false}
          data-testid="stFileUploaderInput"
          onChange={(e) => {
            if (e.target.files?.length) void add(e.target.files);
            e.target.value = "";
          }}
        />
        <span className="uploader-hint">
          {el.max_bytes ? `Limit ${formatBytes(el.max_bytes)} per file` : null}
          {el.accept?.length ? ` • ${el.accept.map((a) => a.slice(1).toUpperCase()).join(", ")}` : null}
          {busy > 0 ? " • uploading…" : null}
        </span>
      </div>
      {error ? (
        <div className="uploader-error" role="alert">
          {error}
        </div>
      ) : null}
      <ul className="uploader-files">
        {files.map((f) => (
          <li key={f.file_id} className="uploader-file" data-testid="stFileUploaderFile">
            <span className="name">{f.name}</span>
            <span className="size">{formatBytes(f.size)}</span>
            <button
              type="button"
              className="button button-tertiary"
              aria-label={`Remove ${f.name}`}
              disabled={el.disabled ?? false}
              onClick={() => void remove(f.file_id)}
            >
              ✕
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function CameraView({ el }: { el: FileUploader }) {
  const session = useSession();
  const [files, setFiles] = useFiles(el);
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [shot, setShot] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const video = useRef<HTMLVideoElement | null>(null);

  useEffect(() => {
    if (video.current && stream) video.current.srcObject = stream;
    return () => stream?.getTracks().forEach((t) => t.stop());
  }, [stream]);
  useEffect(() => () => (shot ? URL.revokeObjectURL(shot) : undefined), [shot]);

  const start = async () => {
    setError(null);
    try {
      setStream(await navigator.mediaDevices.getUserMedia({ video: true, audio: false }));
    } catch (e) {
      setError(`camera unavailable: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  const capture = async () => {
    const v = video.current;
    if (!v) return;
    const canvas = document.createElement("canvas");
    canvas.width = v.videoWidth || 640;
    canvas.height = v.videoHeight || 480;
    canvas.getContext("2d")?.drawImage(v, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.9));
    stream?.getTracks().forEach((t) => t.stop());
    setStream(null);
    if (!blob) return setError("could not take the picture");
    try {
      const info = await upload(el, blob, "camera.jpg");
      setShot(URL.createObjectURL(blob));
      setFiles([info]);
      session.setWidget(el.id, [info.file_id], el.form_id);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  const clear = () => {
    setShot(null);
    setFiles([]);
    session.setWidget(el.id, [], el.form_id);
  };

  return (
    <div className={`widget camera${el.disabled ? " disabled" : ""}`} data-testid="stCameraInput">
      <WidgetLabel el={el} />
      {stream ? (
        <>
          <video ref={video} autoPlay playsInline muted />
          <button type="button" className="button" onClick={() => void capture()}>
            Take photo
          </button>
        </>
      ) : files.length ? (
        <>
          {shot ? <img src={shot} alt="Captured" /> : <span>{files[0]?.name}</span>}
          <button type="button" className="button" disabled={el.disabled ?? false} onClick={clear}>
            Clear photo
          </button>
        </>
      ) : (
        <button type="button" className="button" disabled={el.disabled ?? false} onClick={() => void start()}>
          Enable camera
        </button>
      )}
      {error ? (
        <div className="uploader-error" role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}
