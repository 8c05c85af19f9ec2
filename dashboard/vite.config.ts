import preact from '@preact/preset-vite'
import { defineConfig } from 'vite'

// Served by the worker at /dashboard/ from dist/public/dashboard (see scripts/build.mjs).
export default defineConfig({
  root: import.meta.dirname,
  base: '/dashboard/',
  plugins: [preact()],
  logLevel: 'warn',
  build: { outDir: '../dist/public/dashboard', emptyOutDir: false, target: 'es2022', chunkSizeWarningLimit: 2000 },
})
