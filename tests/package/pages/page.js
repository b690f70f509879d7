// The script-tag page's own script (a file, as a strict CSP requires). It records the CSP
// violations this page sees, then uses the global without any init step.
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.cspViolations.push(`${e.effectiveDirective} ${e.blockedURI}`);
});
window.addEventListener('DOMContentLoaded', () => {
  const out = document.getElementById('out');
  if (!out) return;
  try {
    out.textContent = SupabaseWorkOS.storageKeyFor(location.origin);
  } catch (e) {
    out.textContent = `failed: ${e && e.name}`;
  }
});
