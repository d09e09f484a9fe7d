// Chat elements: a message block with an avatar, and the chat input. Names, avatars and
// placeholders are plain text, inserted as text (never as HTML).
import { useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import type { ChatInput, ChatMessage } from "../generated/protocol";
import { useSession } from "../context";

/** A media URL from the server (relative to the app's base path), or null for anything else. */
function mediaUrl(path: string | null | undefined): string | null {
  if (!path || !path.startsWith("_bastion/media/")) return null;
  const base = document.querySelector('meta[name="bastion-base"]')?.getAttribute("content") ?? "/";
  return `${base.replace(/\/?$/, "/")}${path}`;
}

function Avatar({ block }: { block: ChatMessage }) {
  switch (block.avatar_kind) {
    case "user":
      return (
        <div className="chat-avatar avatar-user" data-testid="stChatMessageAvatarUser" aria-hidden="true">
          <svg viewBox="0 0 24 24" width="18" height="18">
            <circle cx="12" cy="8" r="4" fill="currentColor" />
            <path d="M4 21c0-4.4 3.6-7 8-7s8 2.6 8 7z" fill="currentColor" />
          </svg>
        </div>
      );
    case "assistant":
      return (
        <div className="chat-avatar avatar-assistant" data-testid="stChatMessageAvatarAssistant" aria-hidden="true">
          <svg viewBox="0 0 24 24" width="18" height="18">
            <rect x="4" y="7" width="16" height="12" rx="3" fill="currentColor" />
            <rect x="11" y="3" width="2" height="4" fill="currentColor" />
            <circle cx="9" cy="13" r="1.6" fill="var(--bg)" />
            <circle cx="15" cy="13" r="1.6" fill="var(--bg)" />
          </svg>
        </div>
      );
    case "image": {
      const src = mediaUrl(block.avatar);
      return (
        <div className="chat-avatar avatar-image" data-testid="stChatMessageAvatarImage" aria-hidden="true">
          {src ? <img src={src} alt="" /> : null}
        </div>
      );
    }
    default:
      return (
        <div className="chat-avatar avatar-custom" data-testid="stChatMessageAvatarCustom" aria-hidden="true">
          {block.avatar ?? "?"}
        </div>
      );
  }
}

export function ChatMessageView({ block, cls, children }: { block: ChatMessage; cls: string; children: ReactNode }) {
  return (
    <div className={`block chat-message chat-${block.avatar_kind}${cls}`} data-testid="stChatMessage" aria-label={`Chat message from ${block.name}`}>
      <Avatar block={block} />
      <div className="chat-content" data-testid="stChatMessageContent">
        {children}
      </div>
    </div>
  );
}

export function ChatInputView({ el }: { el: ChatInput }) {
  const session = useSession();
  const [value, setValue] = useState("");
  const area = useRef<HTMLTextAreaElement>(null);
  const submit = () => {
    if (el.disabled || value.trim() === "") return;
    session.setWidget(el.id, value, null);
    setValue("");
    area.current?.focus();
  };
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter sends, Shift+Enter is a new line; never while an IME is composing a character.
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };
  const rows = Math.min(8, value.split("\n").length);
  return (
    <div className={`chat-input${el.pinned ? " pinned" : ""}${el.disabled ? " disabled" : ""}`} data-testid="stChatInput">
      <div className="chat-input-inner">
        <textarea
          ref={area}
          rows={rows}
          value={value}
          placeholder={el.placeholder ?? ""}
          aria-label={el.placeholder || "Chat input"}
          disabled={el.disabled}
          maxLength={el.max_chars ?? undefined}
          data-testid="stChatInputTextArea"
          onChange={(e) => setValue(e.target.value)}
          onKeyDown={onKeyDown}
        />
        <button
          type="button"
          className="chat-send"
          aria-label="Send"
          data-testid="stChatInputSubmitButton"
          disabled={el.disabled || value.trim() === ""}
          onClick={submit}
        >
          <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
            <path d="M3 20l18-8L3 4v6l12 2-12 2z" fill="currentColor" />
          </svg>
        </button>
      </div>
      {el.max_chars ? (
        <div className="char-count">
          {value.length}/{el.max_chars}
        </div>
      ) : null}
    </div>
  );
}
