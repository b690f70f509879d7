// The job, as an app writes it with supabase-workos: start a WorkOS sign-in, finish it from
// the callback (the client does so on creation, as supabase-js does), keep the session.
import { createClient } from 'supabase-workos';

const cfg = globalThis.BENCH_CONFIG;
const auth = createClient(cfg.url, cfg.key, {
  flowType: cfg.flowType,
  storageKey: cfg.storageKey,
  // Same behaviour as auth-js on a callback this browser did not start (an option of API.md;
  // ignored by builds that do not have it yet).
  allowUnsolicitedImplicit: true,
});

export const signIn = () =>
  auth.signInWithWorkOS({ connection: cfg.connection, redirectTo: cfg.redirectTo, skipBrowserRedirect: true });
export const finish = (href) => auth.handleRedirectCallback(href);
export const session = () => auth.getSession();
