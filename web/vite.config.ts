// Production: static assets in web/dist, served by the gateway. Development: `npm run dev` serves
// the app with hot reload and proxies the API (and its WebSocket) to a running gateway.
import { defineConfig } from 'vite';

const gateway = process.env.SHELLGATE_URL ?? 'http://127.0.0.1:8022';
// The gateway only accepts cookie-authenticated requests from its own Origin: present the proxied
// requests (and WebSocket upgrades) as coming from there.
const proxied = { target: gateway, changeOrigin: true, headers: { origin: new URL(gateway).origin } };

export default defineConfig({
  // Relative asset URLs: the same build works at `/` and under any base path (`/shell/`).
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The CSP allows no inline script; keep Vite's module preload polyfill out of the page.
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
    // One bundle by design (docs/web.md, "Size and speed": ≈ 500 kB minified, 135 kB gzip).
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      onwarn(warning, warn) {
        // zod's sources carry comments that mention `@__PURE__` where Rollup looks for the
        // annotation; Rollup drops the comments and the output is the same. Ours would still warn.
        if (warning.code === 'INVALID_ANNOTATION' && (warning.id ?? '').includes('/node_modules/')) return;
        warn(warning);
      },
    },
  },
  server: {
    proxy: {
      '/api': { ...proxied, ws: true },
      '/healthz': proxied,
    },
  },
});
