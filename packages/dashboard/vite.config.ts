// Built to dist/, which the gateway serves as Workers static assets (workers/gateway/wrangler.jsonc).
// Preact's JSX through Vite's own transform (tsconfig's jsxImportSource); no Babel preset needed.
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Hashed file names under /assets/: the gateway serves them without running the Worker.
    assetsDir: 'assets',
    target: 'es2022',
    reportCompressedSize: true,
  },
  server: {
    // `pnpm --filter @mailgrid/dashboard dev` against a running `npm start` stack.
    proxy: { '/api': 'http://localhost:8787' },
  },
});
