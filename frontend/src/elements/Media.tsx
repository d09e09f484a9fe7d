// Images, audio, video, link and download buttons, the logo. Every URL goes through `mediaUrl`;
// captions and file names are plain text; labels and help are sanitized *_html fields.
import { useEffect, useRef, type ReactNode } from "react";
import type { Audio, DownloadButton, Image, LinkButton, Logo, Video } from "../generated/protocol";
import { useSession } from "../context";
import { Html, unwrapParagraph } from "../Html";
import { Help } from "./text";
import { mediaUrl, safeLink } from "./mediaUrl";
import "./media.css";

export function ImageView({ el }: { el: Image }) {
  const style = el.width ? { width: `${el.width}px` } : undefined;
  return (
    <div className={`image-list${el.use_container_width ? " stretch" : ""}`} data-testid="stImage">
      {el.images.map((item, i) => (
        <figure key={i} className="image-item" style={style}>
          {/* SVG included: <img> never runs an image's script. */}
          <img src={mediaUrl(item.url)} alt={item.caption ?? ""} loading="lazy" />
          {item.caption ? <figcaption className="image-caption">{item.caption}</figcaption> : null}
        </figure>
      ))}
    </div>
  );
}

/** Start/end/loop for <audio> and <video>: start at `start_time`; at `end_time` stop, or jump
 *  back to the start when looping. Seeking uses HTTP ranges on the media route. */
function usePlayback(el: { start_time?: number; end_time?: number | null; loop?: boolean; url: string }) {
  const ref = useRef<HTMLMediaElement | null>(null);
  const start = el.start_time ?? 0;
  const end = el.end_time ?? null;
  const loop = el.loop ?? false;
  useEffect(() => {
    const media = ref.current;
    if (!media) return;
    const seekStart = () => {
      if (start > 0) media.currentTime = start;
    };
    if (media.readyState >= 1) seekStart();
    const onTime = () => {
      if (end !== null && media.currentTime >= end) {
        if (loop) {
          media.currentTime = start;
          void media.play().catch(() => undefined);
        } else {
          media.pause();
        }
      }
    };
    const onEnded = () => {
      if (loop && start > 0) {
        media.currentTime = start;
        void media.play().catch(() => undefined);
      }
    };
    media.addEventListener("loadedmetadata", seekStart);
    media.addEventListener("timeupdate", onTime);
    media.addEventListener("ended", onEnded);
    return () => {
      media.removeEventListener("loadedmetadata", seekStart);
      media.removeEventListener("timeupdate", onTime);
      media.removeEventListener("ended", onEnded);
    };
  }, [start, end, loop, el.url]);
  return ref;
}

export function AudioView({ el }: { el: Audio }) {
  const ref = usePlayback(el);
  return (
    <div className="media-player" data-testid="stAudio">
      <audio
        ref={ref as React.RefObject<HTMLAudioElement>}
        controls
        src={mediaUrl(el.url)}
        loop={(el.loop ?? false) && el.end_time == null && !el.start_time}
        autoPlay={el.autoplay ?? false}
        preload="metadata"
      />
    </div>
  );
}

export function VideoView({ el }: { el: Video }) {
  const ref = usePlayback(el);
  return (
    <div className="media-player" data-testid="stVideo">
      <video
        ref={ref as React.RefObject<HTMLVideoElement>}
        controls
        src={mediaUrl(el.url)}
        loop={(el.loop ?? false) && el.end_time == null && !el.start_time}
        autoPlay={el.autoplay ?? false}
        muted={el.muted ?? false}
        playsInline
        preload="metadata"
      >
        {(el.subtitles ?? []).map((s, i) => (
          <track key={i} kind="subtitles" label={s.label} src={mediaUrl(s.url)} default={i === 0} />
        ))}
      </video>
    </div>
  );
}

function ButtonFace({ icon, label_html }: { icon?: string | null; label_html: string }): ReactNode {
  return (
    <>
      {icon ? <span className="button-icon">{icon}</span> : null}
      <Html as="span" html={unwrapParagraph(label_html)} />
    </>
  );
}

export function LinkButtonView({ el }: { el: LinkButton }) {
  const href = safeLink(el.url);
  const cls = `button button-${el.kind ?? "secondary"}${el.use_container_width ? " full" : ""}`;
  return (
    <div className={`widget${el.disabled ? " disabled" : ""}`} data-testid="stLinkButton">
      {el.disabled || !href ? (
        <span className={`${cls} link-disabled`} aria-disabled="true">
          <ButtonFace icon={el.icon} label_html={el.label_html} />
        </span>
      ) : (
        <a className={cls} href={href} target="_blank" rel="noopener noreferrer">
          <ButtonFace icon={el.icon} label_html={el.label_html} />
        </a>
      )}
      <Help help_html={el.help_html} />
    </div>
  );
}

export function DownloadButtonView({ el }: { el: DownloadButton }) {
  const session = useSession();
  const cls = `button button-${el.kind ?? "secondary"}${el.use_container_width ? " full" : ""}`;
  const onClick = () => {
    if ((el.on_click ?? "rerun") === "rerun") session.setWidget(el.id, true, null);
  };
  return (
    <div className={`widget${el.disabled ? " disabled" : ""}`} data-testid="stDownloadButton">
      {el.disabled ? (
        <span className={`${cls} link-disabled`} aria-disabled="true">
          <ButtonFace icon={el.icon} label_html={el.label_html} />
        </span>
      ) : (
        <a className={cls} href={mediaUrl(el.url)} download={el.file_name} onClick={onClick}>
          <ButtonFace icon={el.icon} label_html={el.label_html} />
        </a>
      )}
      <Help help_html={el.help_html} />
    </div>
  );
}

export function LogoView({ el }: { el: Logo }) {
  const img = <img className={`logo logo-${el.size ?? "medium"}`} src={mediaUrl(el.url)} alt="Logo" />;
  const href = el.link ? safeLink(el.link) : undefined;
  return (
    <div className="logo-box" data-testid="stLogo">
      {href ? (
        <a href={href} target="_blank" rel="noopener noreferrer">
          {img}
        </a>
      ) : (
        img
      )}
    </div>
  );
}
