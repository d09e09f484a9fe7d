import { describe, expect, it } from "vitest";
import { formatBytes, mediaUrl, safeLink } from "./mediaUrl";

describe("mediaUrl", () => {
  it("puts server media under the base path", () => {
    expect(mediaUrl("_bastion/media/abc.png", "/app/")).toBe("/app/_bastion/media/abc.png");
    expect(mediaUrl("/_bastion/media/abc.png", "/")).toBe("/_bastion/media/abc.png");
  });
  it("keeps http(s) and image data URLs, nothing else", () => {
    expect(mediaUrl("https://x.test/a.png", "/")).toBe("https://x.test/a.png");
    expect(mediaUrl("data:image/png;base64,AA", "/")).toBe("data:image/png;base64,AA");
    expect(mediaUrl("javascript:alert(1)", "/")).toBe("/javascript:alert(1)");
    expect(mediaUrl("//evil.test/x", "/")).toBe("/evil.test/x");
    expect(mediaUrl("data:text/html,<script>", "/")).toBe("/data:text/html,<script>");
  });
  it("links only http, https and mailto", () => {
    expect(safeLink("https://a.test")).toBe("https://a.test");
    expect(safeLink("mailto:a@b.test")).toBe("mailto:a@b.test");
    expect(safeLink("javascript:alert(1)")).toBeUndefined();
    expect(safeLink("data:text/html,x")).toBeUndefined();
  });
  it("formats sizes", () => {
    expect(formatBytes(10)).toBe("10 B");
    expect(formatBytes(2048)).toBe("2.0 KB");
  });
});
