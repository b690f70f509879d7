// Sign in with WorkOS through Supabase Auth, from a plain Vite app.
//
// Server strings (emails, names, error messages) are only ever written with textContent, never
// innerHTML. The page has no inline script or style, so it runs under a strict CSP.
import {
  createClient,
  isAuthError,
  type Session,
  type SignInWithWorkOSOptions,
  type WorkOSProvider,
} from 'supabase-workos';
import './style.css';

// Defaults: the local emulator (its anon key is the Supabase CLI's well-known demo key).
const SUPABASE_URL = import.meta.env.VITE_SUPABASE_URL || 'http://127.0.0.1:54321';
const SUPABASE_ANON_KEY =
  import.meta.env.VITE_SUPABASE_ANON_KEY ||
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0';

function el<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from index.html`);
  return found as T;
}

const status = el('status');
const errorBox = el('error');
const signedOut = el('signed-out');
const signedIn = el('signed-in');
el<HTMLInputElement>('connection').value = import.meta.env.VITE_WORKOS_CONNECTION || 'conn_emulator_okta';
el<HTMLInputElement>('organization').value = import.meta.env.VITE_WORKOS_ORGANIZATION || 'org_emulator_acme';

function showError(e: unknown): void {
  // The code is the stable part; the message is for people.
  errorBox.textContent = isAuthError(e) ? `${e.code}: ${e.message}` : String(e);
  errorBox.hidden = false;
}

function render(session: Session | null): void {
  signedIn.hidden = session === null;
  signedOut.hidden = session !== null;
  if (!session) {
    status.textContent = 'Signed out';
    return;
  }
  const { user } = session;
  status.textContent = `Signed in as ${user.email ?? user.id}`;
  el('user-email').textContent = user.email ?? '';
  el('user-id').textContent = user.id;
  el('user-organization').textContent = user.user_metadata.custom_claims?.organization_id ?? '';
  el('session-expires').textContent = new Date(session.expires_at * 1000).toLocaleString();
}

// Creating the client finishes a sign-in when the page is the callback (?code=… or #access_token=…)
// and removes the auth parameters from the address bar.
const auth = createClient(SUPABASE_URL, SUPABASE_ANON_KEY);
auth.onAuthStateChange((_event, session) => render(session));
auth.initialize().then(({ error }) => {
  if (error) showError(error);
});

// Back to this very page after sign-in; add this URL to Supabase Auth's redirect allow list.
const redirectTo = `${location.origin}${location.pathname}`;

function onSubmit(formId: string, selector: (form: FormData) => SignInWithWorkOSOptions): void {
  el<HTMLFormElement>(formId).addEventListener('submit', (event) => {
    event.preventDefault();
    errorBox.hidden = true;
    const options = selector(new FormData(event.currentTarget as HTMLFormElement));
    // Navigates to Supabase Auth, which sends the user on to WorkOS.
    auth.signInWithWorkOS({ ...options, redirectTo }).catch(showError);
  });
}

const field = (form: FormData, name: string): string => String(form.get(name) ?? '').trim();
onSubmit('with-connection', (f) => ({ connection: field(f, 'connection') }));
onSubmit('with-organization', (f) => ({ organization: field(f, 'organization') }));
// The <select> offers only WorkOS's provider names; anything else is refused with invalid_provider.
onSubmit('with-provider', (f) => ({ provider: field(f, 'provider') as WorkOSProvider }));

el('get-user').addEventListener('click', () => {
  auth
    .getUser()
    .then((user) => {
      el('user-json').textContent = JSON.stringify(user, null, 2);
    })
    .catch(showError);
});

el('sign-out').addEventListener('click', () => {
  el('user-json').textContent = '';
  auth.signOut().catch(showError);
});
