import { describe, expect, it } from "vitest";
import { backoffMs, streamUrl } from "./connection";

describe("backoffMs", () => {
  it("starts fast and caps at five seconds", () => {
    expect(backoffMs(0)).toBe(100);
    expect(backoffMs(1)).toBe(200);
    expect(backoffMs(3)).toBe(800);
    expect(backoffMs(50)).toBe(5000);
  });
});

describe("streamUrl", () => {
  it("uses ws or wss on the page's host", () => {
    expect(streamUrl({ protocol: "http:", host: "127.0.0.1:8501" }, "/_bastion/stream")).toBe(
      "ws://127.0.0.1:8501/_bastion/stream",
    );
    expect(streamUrl({ protocol: "https:", host: "apps.example" }, "/base/_bastion/stream")).toBe(
      "wss://apps.example/base/_bastion/stream",
    );
  });
});
