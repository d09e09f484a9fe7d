import { describe, expect, it } from "vitest";
import { backoffMs } from "./connection";

describe("backoffMs", () => {
  it("starts fast and caps at five seconds", () => {
    expect(backoffMs(0)).toBe(100);
    expect(backoffMs(1)).toBe(200);
    expect(backoffMs(3)).toBe(800);
    expect(backoffMs(50)).toBe(5000);
  });
});
