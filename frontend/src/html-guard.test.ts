// The HTML sink is one audited component: no other source file may insert HTML.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|tsx)$/.test(name) && !name.endsWith(".test.ts") ? [path] : [];
  });
}

describe("HTML sinks", () => {
  it("are confined to Html.tsx, which renders only *_html fields", () => {
    const sinks = /dangerouslySetInnerHTML|\.innerHTML\s*=|outerHTML\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(/;
    const offenders = sources(join(import.meta.dirname, ".")).filter(
      (path) => !path.endsWith("Html.tsx") && sinks.test(readFileSync(path, "utf8")),
    );
    expect(offenders).toEqual([]);
  });

  it("every Html usage passes a field named *_html", () => {
    const bad: string[] = [];
    for (const path of sources(join(import.meta.dirname, "."))) {
      for (const match of readFileSync(path, "utf8").matchAll(/<Html\b[^>]*\bhtml=\{([^}]*)\}/g)) {
        if (!/_html\b|\boption\b|\blabel\b/.test(match[1]!)) bad.push(`${path}: ${match[1]}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
