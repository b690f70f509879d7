/// <reference types="vite/client" />

interface ImportMetaEnv {
  readonly VITE_SUPABASE_URL?: string;
  readonly VITE_SUPABASE_ANON_KEY?: string;
  readonly VITE_WORKOS_CONNECTION?: string;
  readonly VITE_WORKOS_ORGANIZATION?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
