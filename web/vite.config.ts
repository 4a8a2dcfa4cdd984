// Vite build for the ungcuu web UI. Preact JSX through oxc (no Babel, no React plugin).
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/',
  oxc: {
    jsx: { runtime: 'automatic', importSource: 'preact' },
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    target: 'es2020',
    sourcemap: false,
    // One small bundle: fewer requests on a slow island link.
    modulePreload: false,
  },
  server: {
    proxy: { '/api': process.env.UNGCUU_API ?? 'http://127.0.0.1:8080' },
  },
});
