import { describe, expect, it } from "vitest";
import { formatNumber } from "./format";

describe("formatNumber", () => {
  it("formats like printf", () => {
    expect(formatNumber(3, "%d", "int")).toBe("3");
    expect(formatNumber(3.14159, "%.2f", "float")).toBe("3.14");
    expect(formatNumber(50, "%d%%", "int")).toBe("50%");
    expect(formatNumber(9.5, "$%.1f", "float")).toBe("$9.5");
    expect(formatNumber(5, "%03d", "int")).toBe("005");
  });
  it("has sensible defaults", () => {
    expect(formatNumber(7, null, "int")).toBe("7");
    expect(formatNumber(0.1 + 0.2, null, "float")).toBe("0.3");
  });
});
