// The same job with @supabase/supabase-js's createClient (auth is client.auth, a GoTrueClient).
import { createClient } from '@supabase/supabase-js';

const cfg = globalThis.BENCH_CONFIG;
const { auth } = createClient(cfg.url, cfg.key, {
  auth: { storageKey: cfg.storageKey, flowType: cfg.flowType },
});

export const signIn = () =>
  auth.signInWithOAuth({
    provider: 'workos',
    options: { redirectTo: cfg.redirectTo, queryParams: { connection: cfg.connection }, skipBrowserRedirect: true },
  });
export const finish = async (href) => {
  const code = new URL(href).searchParams.get('code');
  const { data, error } = code ? await auth.exchangeCodeForSession(code) : await auth.initialize();
  if (error) throw error;
  return data.session ?? null;
};
export const session = async () => {
  const { data, error } = await auth.getSession();
  if (error) throw error;
  return data.session;
};
