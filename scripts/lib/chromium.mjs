// Headless Chromium as the browser tests and the benchmark launch it: Debian's binary (or
// $CHROMIUM), never a downloaded one, with the flags this closed network needs. Options for
// playwright-core's `chromium.launch`; each caller brings its own playwright-core.
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const chromiumLaunchOptions = () => ({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: CHROMIUM_FLAGS,
});
