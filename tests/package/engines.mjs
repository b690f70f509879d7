// One small page interface over two engines, so each test is written once: Debian's Chromium
// through Playwright (tests/js/harness.mjs) and Debian's Firefox ESR through geckodriver.
import { launchBrowser, openPage } from '../js/harness.mjs';
import { launchFirefox } from './webdriver.mjs';

/** Engines to run, from PACKAGE_TEST_ENGINES (default both). */
export const ENGINES = (process.env.PACKAGE_TEST_ENGINES ?? 'chromium,firefox')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/**
 * A page: `goto(url)`, `url()`, `run(fn, arg)` (an async function run in the page, its JSON
 * result returned), `click(selector)`, `waitFor(fn, arg, what)`, `logs` (the console, where the
 * engine exposes it: Chromium only), `close()`. Each page starts with empty storage.
 */
export async function launch(engine) {
  if (engine === 'chromium') {
    const browser = await launchBrowser();
    return {
      engine,
      async open(url) {
        const page = await openPage(browser, url);
        return {
          logs: page.logs,
          consoleVisible: true,
          goto: (u) => page.goto(u),
          url: async () => page.url(),
          run: (fn, arg) => page.evaluate(fn, arg),
          click: (selector) => page.click(selector),
          waitFor: (fn, arg, what, timeout) => poll((a) => page.evaluate(fn, a), arg, what, timeout),
          close: () => page.context().close(),
        };
      },
      close: () => browser.close(),
    };
  }
  if (engine === 'firefox') {
    return {
      engine,
      async open(url) {
        const ff = await launchFirefox();
        await ff.goto(url);
        const run = async (fn, arg) => {
          const out = await ff.executeAsync(
            `const [arg, done] = [arguments[0], arguments[arguments.length - 1]];
             Promise.resolve()
               .then(() => (${fn})(arg))
               .then((value) => done({ value: value === undefined ? null : value }),
                     (e) => done({ error: String((e && e.stack) || e) }));`,
            arg === undefined ? null : arg,
          );
          if (out.error) throw new Error(`in Firefox: ${out.error}`);
          return out.value;
        };
        return {
          logs: [],
          consoleVisible: false,
          version: ff.version,
          goto: (u) => ff.goto(u),
          url: () => ff.url(),
          run,
          click: (selector) => ff.click(selector),
          waitFor: (fn, arg, what, timeout) => poll((a) => run(fn, a), arg, what, timeout),
          close: () => ff.close(),
        };
      },
      close: async () => {},
    };
  }
  throw new Error(`unknown engine ${engine}`);
}

/** Polls `check(arg)` until it returns a truthy value (errors during navigation are retried). */
async function poll(check, arg, what = 'condition', timeout = 15000) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await check(arg);
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last: ${last}`);
    await sleep(100);
  }
}
