import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * The dashboard is built into dist/apps/dashboard/public, which audit-api serves at `/`.
 * `npm run dashboard:dev` serves it with hot reload and forwards the API to an audit-api on
 * AUDIT_API_URL (default http://127.0.0.1:3200).
 */
export default defineConfig(() => {
  const api = process.env.AUDIT_API_URL ?? 'http://127.0.0.1:3200';
  return {
    root: here('.'),
    base: '/',
    publicDir: here('static'),
    plugins: [react()],
    logLevel: 'warn' as const,
    build: {
      outDir: here('../../dist/apps/dashboard/public'),
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: false,
      reportCompressedSize: false,
    },
    server: {
      host: '127.0.0.1',
      proxy: Object.fromEntries(['/v1', '/health', '/docs'].map((p) => [p, { target: api, changeOrigin: false }])),
    },
  };
});
