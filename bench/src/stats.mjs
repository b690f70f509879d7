// Small statistics helpers: medians, nearest-rank percentiles, per-pair ratios.
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  if (q === 0.5) {
    const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  }
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}
export const median = (xs) => quantile(xs, 0.5);
export const p90 = (xs) => quantile(xs, 0.9);

/**
 * A distribution-free 95% confidence interval for the median: the order statistics whose ranks
 * the binomial(n, 1/2) distribution brackets (normal approximation), `[lo, hi]`; NaNs below 6
 * samples, where no such interval exists.
 */
export function medianInterval(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const k = Math.floor((s.length - 1.96 * Math.sqrt(s.length)) / 2);
  if (s.length < 6 || k < 0) return [NaN, NaN];
  return [s[k], s[s.length - 1 - k]];
}
