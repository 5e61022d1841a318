/**
 * Builds the renderer (the React UI) into renderer/dist, which the daemon serves and the
 * Electron window loads. `npm run dev:renderer`-style serving works too: set LANFOLD_API to a
 * running daemon's GUI address (e.g. http://127.0.0.1:47211) and /api is proxied to it.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/**
 * The Content-Security-Policy of the built page. Scripts and styles come only from the page's
 * own origin (no inline script, no eval); the API and its WebSocket are on the same origin.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** Adds the CSP meta tag to the built page only (the dev server injects inline scripts). */
function contentSecurityPolicy(): Plugin {
  return {
    name: 'lanfold-csp',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: () => [
        {
          tag: 'meta',
          attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY },
          injectTo: 'head-prepend',
        },
      ],
    },
  };
}

const api = process.env.LANFOLD_API;

export default defineConfig({
  root,
  base: './',
  plugins: [react(), contentSecurityPolicy()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    // No inline modulepreload polyfill: Chromium and Electron support modulepreload natively.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    rollupOptions: {
      onwarn(warning, warn) {
        // zod's sources carry /*@__PURE__*/ comments Rollup cannot place; harmless noise.
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('node_modules')) return;
        warn(warning);
      },
    },
  },
  // The daemon answers only requests that name it (Host) and come from its own origin.
  server: api
    ? { proxy: { '/api': { target: api, ws: true, changeOrigin: true, headers: { origin: api } } } }
    : undefined,
  clearScreen: false,
});
