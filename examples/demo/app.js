// The demo app: the classic-script build of supabase-workos, no bundler. Every string from the
// server or the URL is rendered with textContent, never as HTML.
(function () {
  'use strict';
  const cfg = window.DEMO_CONFIG;
  const $ = (id) => document.getElementById(id);
  const show = (id, visible) => { $(id).hidden = !visible; };

  $('project').textContent = cfg.supabaseUrl;
  for (const el of document.querySelectorAll('[data-config]')) {
    el.textContent = cfg[el.dataset.config];
    // A selector the config leaves out has no button.
    if (!cfg[el.dataset.config]) el.closest('button').hidden = true;
  }

  const flow = localStorage.getItem('demo-flow') === 'implicit' ? 'implicit' : 'pkce';
  $('flow').value = flow;
  $('flow').addEventListener('change', () => {
    localStorage.setItem('demo-flow', $('flow').value);
    location.reload();
  });

  let auth;
  try {
    auth = SupabaseWorkOS.createClient(cfg.supabaseUrl, cfg.anonKey, { flowType: flow });
  } catch (e) {
    fail(e);
    return;
  }

  function fail(e) {
    const parts = [e.name, e.code, e.message].filter(Boolean);
    $('error').textContent = parts.join(': ');
    show('error', true);
  }

  function render(session, event) {
    show('signed-in', !!session);
    show('signed-out', !session);
    $('status').textContent = session ? '' : 'Signed out.';
    if (!session) return;
    const user = session.user || {};
    const claims = (user.user_metadata && user.user_metadata.custom_claims) || {};
    $('email').textContent = user.email || '(no email)';
    $('user-id').textContent = user.id || '';
    $('connection-id').textContent = claims.connection_id || '—';
    $('organization-id').textContent = claims.organization_id || '—';
    $('expires').textContent = new Date(session.expires_at * 1000).toLocaleString();
    if (event) $('event').textContent = event;
    $('user-json').textContent = JSON.stringify(user, null, 2);
  }

  async function signIn(selector) {
    show('error', false);
    $('status').textContent = 'Redirecting…';
    try {
      await auth.signInWithWorkOS(Object.assign({ redirectTo: location.origin + location.pathname }, selector));
    } catch (e) {
      $('status').textContent = '';
      fail(e);
    }
  }

  $('signin-connection').addEventListener('click', () => signIn({ connection: cfg.connection }));
  $('signin-organization').addEventListener('click', () => signIn({ organization: cfg.organization }));
  $('signin-provider').addEventListener('click', () => signIn({ provider: cfg.provider }));
  $('signout').addEventListener('click', () => auth.signOut().catch(fail));
  $('refresh').addEventListener('click', () => auth.refreshSession().catch(fail));

  auth.onAuthStateChange((event, session) => render(session, event));
  auth.initialize().then(({ error }) => {
    if (error) fail(error);
  });
})();
