// Vite 8 (Rolldown + Oxc). JSX is compiled by Oxc with Preact's automatic runtime, so no
// Babel preset is needed; the appliance serves dist/ (assets/ cached forever by hash).
import { defineConfig } from "vite";

export default defineConfig({
  oxc: {
    jsx: { runtime: "automatic", importSource: "preact" },
  },
  build: {
    outDir: "dist",
    assetsDir: "assets",
    target: "es2022",
    sourcemap: false,
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
    chunkSizeWarningLimit: 250,
  },
  server: {
    // `npm run dev` against a running appliance: the API, events and preview sockets proxied.
    proxy: {
      "/api": { target: "http://127.0.0.1:18080", ws: true },
      "/healthz": "http://127.0.0.1:18080",
      "/readyz": "http://127.0.0.1:18080",
      "/metrics": "http://127.0.0.1:18080",
    },
  },
});
