// A tiny W3C WebDriver client (classic HTTP protocol, Node's fetch) for Debian's Firefox ESR
// through geckodriver. Playwright cannot drive a stock Firefox: its Firefox protocol (Juggler)
// exists only in Playwright's own patched build, which cannot be downloaded here.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GECKODRIVER = process.env.GECKODRIVER ?? `${process.env.HOME}/.cargo/bin/geckodriver`;
export const FIREFOX = process.env.FIREFOX ?? '/usr/bin/firefox-esr';

/** Starts geckodriver on a free loopback port; resolves to `{ url, close }`. */
async function startGeckodriver() {
  const profileRoot = await mkdtemp(join(tmpdir(), 'geckodriver-'));
  const child = spawn(
    GECKODRIVER,
    ['--host', '127.0.0.1', '--port', '0', '--websocket-port', '0', '--profile-root', profileRoot],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`geckodriver did not start:\n${log}`)), 15000);
    const onData = (chunk) => {
      log += chunk;
      const m = /Listening on (\S+:\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        ok(`http://${m[1]}`);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => fail(new Error(`geckodriver exited (${code}):\n${log}`)));
    child.on('error', fail);
  });
  return {
    url,
    close: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((ok) => child.once('exit', ok));
        child.kill('SIGTERM');
        await exited;
      }
      await rm(profileRoot, { recursive: true, force: true });
    },
  };
}

async function call(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const v = data.value ?? {};
    throw new Error(`WebDriver ${method} ${path}: ${v.error ?? res.status}: ${v.message ?? ''}`);
  }
  return data.value;
}

const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

/** A headless Firefox session: `{ goto, url, executeAsync, click, close }`. */
export async function launchFirefox() {
  const driver = await startGeckodriver();
  let session;
  try {
    session = await call(driver.url, 'POST', '/session', {
      capabilities: {
        alwaysMatch: {
          browserName: 'firefox',
          acceptInsecureCerts: false,
          'moz:firefoxOptions': {
            binary: FIREFOX,
            args: ['-headless'],
            prefs: {
              // Nothing but loopback is reachable here: no background connections.
              'network.captive-portal-service.enabled': false,
              'network.connectivity-service.enabled': false,
              'browser.safebrowsing.update.enabled': false,
              'extensions.update.enabled': false,
              'app.update.enabled': false,
            },
          },
        },
      },
    });
  } catch (e) {
    await driver.close();
    throw e;
  }
  const base = `${driver.url}/session/${session.sessionId}`;
  const version = session.capabilities.browserVersion;
  return {
    version,
    goto: (url) => call(base, 'POST', '/url', { url }),
    url: () => call(base, 'GET', '/url'),
    /** Runs `script` (a function body; `arguments[0]` is `arg`, the last argument the callback). */
    executeAsync: (script, arg) => call(base, 'POST', '/execute/async', { script, args: [arg] }),
    async click(selector) {
      const el = await call(base, 'POST', '/element', { using: 'css selector', value: selector });
      await call(base, 'POST', `/element/${el[ELEMENT]}/click`, {});
    },
    async close() {
      try {
        await call(base, 'DELETE', '');
      } finally {
        await driver.close();
      }
    },
  };
}
