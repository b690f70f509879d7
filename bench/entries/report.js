// Waits for the session, marks it, and leaves the figures in globalThis.__bench for the driver.
export async function report(sessionPromise) {
  const cfg = globalThis.BENCH_CONFIG;
  try {
    const session = await sessionPromise;
    performance.mark('bench:session');
    const start = performance.getEntriesByName('bench:lib-start')[0].startTime;
    const end = performance.getEntriesByName('bench:session')[0].startTime;
    // The resource entry of the auth request can be queued a little after the response was read.
    const wanted = (e) => e.name.startsWith(cfg.url) && /\/auth\/v1\/(user|token)/.test(e.name);
    let entries = [];
    for (let i = 0; i < 100 && entries.length === 0; i++) {
      entries = performance.getEntriesByType('resource').filter(wanted);
      if (entries.length === 0) await new Promise((ok) => setTimeout(ok, 5));
    }
    const wire = entries.reduce((t, e) => t + (e.responseEnd - e.startTime), 0);
    globalThis.__bench = {
      ok: Boolean(session && typeof session.access_token === 'string' && session.user && session.user.id),
      toSession: end,
      libStart: start,
      wire,
      requests: entries.map((e) => e.name.slice(cfg.url.length)),
      lib: end - start - wire,
    };
  } catch (e) {
    globalThis.__bench = { ok: false, error: `${e && e.name}: ${e && e.message}` };
  }
  // The driver listens for this line instead of polling the page (no script of its own runs
  // in the page while the library works).
  console.log('bench:done');
}
