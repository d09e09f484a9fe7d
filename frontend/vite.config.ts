/// <reference types="vitest/config" />
// Builds the frontend into the Python package (src/bastion/server/static), with content-hashed
// asset names the server marks immutable, and a precompressed .br and .gz beside each asset so the
// server never compresses on the request path.
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { defineConfig, type Plugin } from "vite";
import react from "@vitejs/plugin-react";

const OUT_DIR = resolve(import.meta.dirname, "../src/bastion/server/static");
const COMPRESSIBLE = /\.(js|mjs|css|html|svg|json|map|txt|wasm)$/;
const MIN_BYTES = 256;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

function precompress(): Plugin {
  return {
    name: "bastion-precompress",
    apply: "build",
    closeBundle() {
      for (const path of walk(OUT_DIR)) {
        if (!COMPRESSIBLE.test(path)) continue;
        const raw = readFileSync(path);
        if (raw.length < MIN_BYTES) continue;
        writeFileSync(`${path}.gz`, gzipSync(raw, { level: 9 }));
        writeFileSync(
          `${path}.br`,
          brotliCompressSync(raw, {
            params: {
              [constants.BROTLI_PARAM_QUALITY]: 11,
              [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
            },
          }),
        );
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), precompress()],
  base: "./",
  build: {
    outDir: OUT_DIR,
    emptyOutDir: true,
    target: "es2022",
    // The CSP forbids inline script; the polyfill is for browsers we do not target anyway.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
