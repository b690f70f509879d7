// A page of the origin that runs no client: it records every message the tabs send each other
// on the storage key's channel, and reads the stored session.
(function () {
  const key = new URLSearchParams(location.search).get('key') || 'sb-127-auth-token';
  window.messages = [];
  new BroadcastChannel(`supabase-workos:${key}`).onmessage = (m) => {
    const { event, session } = m.data || {};
    window.messages.push({ event, refresh: session ? session.refresh_token : null, expiresAt: session ? session.expires_at : null });
  };
  window.stored = () => JSON.parse(localStorage.getItem(key));
})();
