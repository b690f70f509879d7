// The authorize vectors through the built package's buildAuthorizeUrl in Chromium: the real
// shell (option reading, URLSearchParams, the browser's URL parser) and the real wasm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT, serverAndBrowser, openPage } from './harness.mjs';

const vectors = JSON.parse(await readFile(join(ROOT, 'tests/vectors/authorize.json'), 'utf8'));
const BASE = 'https://abcdefghijklmnop.supabase.co/auth/v1/authorize?provider=workos';

/** The deliberate differences (README): a URL instead of supabase-js's, or a refusal code. */
const DIFFERENCES = {
  'provider-param-MicrosoftOAuth': `${BASE}&workos_provider=MicrosoftOAuth`,
  'provider-param-GitHubOAuth': `${BASE}&workos_provider=GitHubOAuth`,
  'hints-order': `${BASE}&connection=conn_1&domain_hint=example.com&login_hint=ada%40example.com`,
  'provider-needs-encoding': `${BASE}&connection=conn_1`,
  'connection-and-organization': { code: 'ambiguous_selector' },
  domain_hint: { code: 'missing_selector' },
  'qp-key-needs-encoding': { code: 'missing_selector' },
  'qp-empty-object': { code: 'missing_selector' },
  'qp-empty-value': { code: 'missing_selector' },
  'qp-null-and-number': { code: 'missing_selector' },
  'qp-slash-question': { code: 'invalid_options' },
  'qp-array-pairs': { code: 'invalid_options' },
  // A redirectTo that runs script or content where it lands (recorded with supabase-js 2.119.1,
  // which sends it); custom-scheme deep links are sent as supabase-js sends them.
  'redirectTo-javascript-implicit': { code: 'invalid_options' },
  'redirectTo-javascript-pkce': { code: 'invalid_options' },
  'redirectTo-data-implicit': { code: 'invalid_options' },
  'redirectTo-data-pkce': { code: 'invalid_options' },
  'redirectTo-vbscript-implicit': { code: 'invalid_options' },
  'redirectTo-vbscript-pkce': { code: 'invalid_options' },
  'redirectTo-blob-implicit': { code: 'invalid_options' },
  'redirectTo-blob-pkce': { code: 'invalid_options' },
};

/** supabase-js's call in our terms: the selector keys of queryParams become our options. */
function ours(input) {
  const o = input.signInWithOAuth.options;
  const out = {};
  if ('redirectTo' in o) out.redirectTo = o.redirectTo;
  if ('scopes' in o) out.scopes = o.scopes;
  if (Array.isArray(o.queryParams)) out.queryParams = o.queryParams;
  else if (o.queryParams) {
    out.queryParams = {};
    for (const [k, v] of Object.entries(o.queryParams)) {
      if (k === 'connection' || k === 'organization') out[k] = v;
      else if (k === 'provider' || k === 'workos_provider') out.provider = v;
      else out.queryParams[k] = v;
    }
  }
  return {
    url: input.supabaseUrl ?? input.authUrl.replace(/\/auth\/v1$/, ''),
    options: out,
    pkce: input.flowType === 'pkce',
  };
}

const env = serverAndBrowser();

test('every authorize vector matches supabase-js or is a listed difference', async () => {
  const page = await openPage(env.browser, `${env.server.url}/tests/js/pages/blank.html`);
  const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
  // The lone surrogate of one vector only survives if the input is built in the page itself.
  const inputs = vectors.cases.map((c) => ({ id: c.id, ...ours(c.input) }));
  const results = await page.evaluate(
    async ({ inputs, challenge }) => {
      const { buildAuthorizeUrl } = await import('/pkg/index.js');
      return inputs.map(({ id, url, options, pkce }) => {
        if (id === 'qp-lone-surrogate') options.connection = 'x\ud800y';
        try {
          return { id, url: buildAuthorizeUrl(url, pkce ? { ...options, flowType: 'pkce', codeChallenge: challenge } : options) };
        } catch (e) {
          return { id, code: e.code, name: e.name };
        }
      });
    },
    { inputs, challenge },
  );
  assert.equal(results.length, 53);
  let same = 0;
  for (const [i, got] of results.entries()) {
    const c = vectors.cases[i];
    const diff = DIFFERENCES[c.id];
    if (diff && typeof diff === 'object') {
      assert.deepEqual({ code: got.code, name: got.name }, { code: diff.code, name: 'AuthError' }, c.id);
    } else {
      const want = diff ?? c.expected.url.replace('{CODE_CHALLENGE}', challenge);
      assert.equal(got.url, want, c.id);
      if (!diff) same += 1;
    }
  }
  assert.equal(same, 33, 'reproduced byte for byte');
  // (The page's own favicon.ico is a 404 of the static server, not ours.)
  assert.deepEqual(page.logs.filter((l) => !l.startsWith('Failed to load resource')), []);
});
