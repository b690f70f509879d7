// Imported first by the timing entries, so it runs before any library code in the bundle.
performance.mark('bench:lib-start');
