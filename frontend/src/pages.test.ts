import { describe, expect, it } from "vitest";
import { pageFromPath, pageHref, safeExternal, safeRedirectPath, shownIcon } from "./pages";

describe("multipage URLs", () => {
  it("names the page from the path under the base", () => {
    expect(pageFromPath("/", "/")).toBe("");
    expect(pageFromPath("/charts", "/")).toBe("charts");
    expect(pageFromPath("/apps/demo/charts/", "/apps/demo/")).toBe("charts");
    expect(pageFromPath("/apps/demo", "/apps/demo/")).toBe("");
    expect(pageFromPath("/%F0%9F%8E%AF", "/")).toBe("🎯");
    expect(pageFromPath("/%E0%A4%A", "/")).toBe("%E0%A4%A");
  });
  it("builds same-origin page addresses", () => {
    expect(pageHref("/", "")).toBe("/");
    expect(pageHref("/apps/demo/", "a b")).toBe("/apps/demo/a%20b");
    expect(pageHref("/", "//evil.example")).toBe("/%2F%2Fevil.example");
  });
  it("allows only http, https and mailto external links", () => {
    expect(safeExternal("https://example.org")).toBe("https://example.org");
    expect(safeExternal("mailto:a@b.c")).toBe("mailto:a@b.c");
    expect(safeExternal("javascript:alert(1)")).toBeNull();
    expect(safeExternal(" data:text/html,x")).toBeNull();
  });
  it("follows auth redirects only to same-origin paths", () => {
    expect(safeRedirectPath("/_bastion/auth/login")).toBe("/_bastion/auth/login");
    expect(safeRedirectPath("//evil.example/x")).toBeNull();
    expect(safeRedirectPath("/\\evil.example")).toBeNull();
    expect(safeRedirectPath("https://evil.example")).toBeNull();
  });
  it("shows emoji icons and leaves out material icon codes", () => {
    expect(shownIcon("📈")).toBe("📈");
    expect(shownIcon(":material/home:")).toBeNull();
    expect(shownIcon(null)).toBeNull();
  });
});
