// How often a tab that takes a Web Lock right after another tab let go of it still reads, in its
// copy of localStorage, the value the other tab replaced while holding the lock; and whether a
// second lock asked for before letting go (the "spent" mark of the package's refresh) is always
// visible to it. Two tabs of one origin in Debian's Chromium; prints one line.
//   node bench/localstorage-lag.mjs [hand-overs, default 300]
import http from 'node:http';
import { chromium } from 'playwright-core';

const N = Number(process.argv[2] ?? 300);
const server = http.createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html>')).listen(0, '127.0.0.1');
await new Promise((ok) => server.once('listening', ok));
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
const context = await browser.newContext();
const [a, b] = [await context.newPage(), await context.newPage()];
await a.goto(url);
await b.goto(url);

let stale = 0;
let unmarked = 0;
const waits = [];
for (let i = 0; i < N; i++) {
  // A holds the lock; B queues for it; A writes, marks the old value, and lets go.
  await a.evaluate(() => {
    window.go = new Promise((r) => (window.release = r));
    return new Promise((held) => navigator.locks.request('L', () => (held(), window.go)));
  });
  const read = b.evaluate(
    (i) =>
      navigator.locks.request('L', async () => {
        const v = localStorage.getItem('k');
        if (v === String(i)) return { v };
        const marked = (await navigator.locks.query()).held.some((l) => l.name === `spent:${v}`);
        const t = performance.now();
        while (localStorage.getItem('k') !== String(i) && performance.now() - t < 3000) await new Promise((r) => setTimeout(r, 1));
        return { v, marked, wait: performance.now() - t };
      }),
    i,
  );
  await new Promise((r) => setTimeout(r, 5));
  await a.evaluate((i) => {
    const old = localStorage.getItem('k');
    localStorage.setItem('k', String(i));
    navigator.locks.request(`spent:${old}`, () => new Promise((r) => setTimeout(r, 2000)));
    window.release();
  }, i);
  const got = await read;
  if (got.v !== String(i)) {
    stale++;
    if (!got.marked) unmarked++;
    waits.push(got.wait);
  }
}
const most = waits.length ? Math.max(...waits).toFixed(1) : '–';
console.log(`${N} hand-overs: ${stale} read the replaced value, ${unmarked} of those without the mark visible; the copy caught up within ${most} ms`);
await browser.close();
server.close();
