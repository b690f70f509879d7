import { defineConfig } from 'vite';

export default defineConfig({
  // Relative asset URLs: the build works from any path, not only from the site's root.
  base: './',
  // No inline scripts or styles anywhere, so the app runs under a strict CSP:
  //   default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' <supabase url>
  build: { assetsInlineLimit: 0 },
});
