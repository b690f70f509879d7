// A page of an app on unmodified supabase-js (its UMD build), on the same origin and storage key
// as the Rust app and the npm package. `?detect=1` lets it finish a callback in its address bar;
// it never refreshes on its own, so the emulator's counters are the other clients'.
(function () {
  const params = new URLSearchParams(location.search);
  window.sb = supabase.createClient(DEMO_CONFIG.supabaseUrl, DEMO_CONFIG.anonKey, {
    auth: { flowType: 'pkce', detectSessionInUrl: params.get('detect') === '1', autoRefreshToken: false },
  });
  window.initialized = window.sb.auth.getSession().then(({ data, error }) => {
    document.getElementById('state').textContent = error ? `error: ${error.message}` : data.session ? 'signed-in' : 'signed-out';
  });
})();
