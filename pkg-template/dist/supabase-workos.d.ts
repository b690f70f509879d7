// Types of the drop-in classic script dist/supabase-workos.js, which defines the global
// `SupabaseWorkOS` (the package's exports). In a TypeScript project that loads the script with a
// <script> tag: `/// <reference types="supabase-workos/script" />`.
declare global {
  /** The package's exports, defined by `dist/supabase-workos.js`. */
  var SupabaseWorkOS: typeof import('../index.js');
  interface Window {
    SupabaseWorkOS: typeof import('../index.js');
  }
}

export {};
