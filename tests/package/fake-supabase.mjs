// A scripted Supabase Auth on loopback, for browsers that Playwright cannot route (Firefox
// through geckodriver) and for whole redirect dances: /authorize answers at once with the
// callback (no WorkOS step), /token checks the PKCE verifier against the challenge it saw,
// /user and /logout check the access token. It also collects CSP violation reports
// (`report-uri <url>/csp-report`), whatever page they come from.
import { createServer } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'apikey, authorization, x-client-info, x-supabase-api-version, content-type',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
};

const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** The user `GET /auth/v1/user` answers, in the shape of PROTOCOL.md §5. */
export function fakeUser() {
  return {
    id: '7d0c2a3e-0000-4000-8000-00000000ada1',
    aud: 'authenticated',
    role: 'authenticated',
    email: 'ada@example.com',
    email_confirmed_at: '2026-01-01T00:00:00Z',
    phone: '',
    confirmed_at: '2026-01-01T00:00:00Z',
    last_sign_in_at: '2026-01-01T00:00:00Z',
    app_metadata: { provider: 'workos', providers: ['workos'] },
    user_metadata: {
      iss: 'https://api.workos.com',
      sub: 'prof_ada',
      name: 'Ada Lovelace',
      full_name: 'Ada Lovelace',
      email: 'ada@example.com',
      email_verified: true,
      provider_id: 'prof_ada',
      custom_claims: { connection_id: 'conn_1', organization_id: 'org_1' },
    },
    identities: [],
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    is_anonymous: false,
  };
}

/** Starts the fake on 127.0.0.1: `{ url, authUrl, seen, cspReports, tokens, close }`. */
export async function startFakeSupabase() {
  const seen = [];
  const cspReports = [];
  const codes = new Map(); // auth code -> code_challenge
  const live = new Set(); // access tokens not signed out
  const now = () => Math.floor(Date.now() / 1000);

  function mintSession() {
    const exp = now() + 3600;
    const access = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub: fakeUser().id, exp })}.${b64url(randomBytes(16))}`;
    live.add(access);
    return {
      access_token: access,
      token_type: 'bearer',
      expires_in: 3600,
      expires_at: exp,
      refresh_token: randomBytes(9).toString('hex'),
      user: fakeUser(),
    };
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    let body = '';
    for await (const chunk of req) body += chunk;
    const send = (status, data, headers = {}) => {
      res.writeHead(status, { ...CORS, 'content-type': 'application/json', ...headers });
      res.end(data === undefined ? undefined : JSON.stringify(data));
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, CORS).end();
      return;
    }
    if (url.pathname === '/csp-report') {
      try {
        cspReports.push(JSON.parse(body));
      } catch {
        cspReports.push({ unparsed: body });
      }
      res.writeHead(204).end();
      return;
    }
    seen.push({ method: req.method, url: url.href, headers: req.headers, body });
    const bearer = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    switch (`${req.method} ${url.pathname}`) {
      case 'GET /auth/v1/authorize': {
        const q = url.searchParams;
        const redirectTo = q.get('redirect_to');
        if (q.get('provider') !== 'workos' || !redirectTo) {
          send(400, { code: 400, error_code: 'validation_failed', msg: 'bad authorize request' });
          return;
        }
        const back = new URL(redirectTo);
        if (q.get('code_challenge')) {
          const code = randomBytes(8).toString('hex');
          codes.set(code, q.get('code_challenge'));
          back.searchParams.set('code', code);
        } else {
          const s = mintSession();
          back.hash = new URLSearchParams({
            access_token: s.access_token,
            expires_at: String(s.expires_at),
            expires_in: String(s.expires_in),
            provider_token: 'workos-provider-token',
            refresh_token: s.refresh_token,
            token_type: 'bearer',
          }).toString();
        }
        res.writeHead(302, { location: back.href }).end();
        return;
      }
      case 'POST /auth/v1/token': {
        const data = JSON.parse(body || '{}');
        const grant = url.searchParams.get('grant_type');
        if (grant === 'pkce') {
          const challenge = codes.get(data.auth_code);
          codes.delete(data.auth_code);
          const actual = createHash('sha256').update(String(data.code_verifier)).digest('base64url');
          if (!challenge || challenge !== actual) {
            send(400, { code: 'bad_code_verifier', message: 'code challenge does not match' }, {
              'x-supabase-api-version': '2024-01-01',
            });
            return;
          }
          send(200, mintSession());
          return;
        }
        if (grant === 'refresh_token') {
          send(200, mintSession());
          return;
        }
        send(400, { code: 'validation_failed', message: 'unsupported grant' });
        return;
      }
      case 'GET /auth/v1/user':
        if (!live.has(bearer)) {
          send(401, { code: 'bad_jwt', message: 'invalid JWT' }, { 'x-supabase-api-version': '2024-01-01' });
          return;
        }
        send(200, fakeUser());
        return;
      case 'POST /auth/v1/logout':
        live.delete(bearer);
        res.writeHead(204, CORS).end();
        return;
      default:
        send(404, { code: 404, msg: 'not found' });
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    seen,
    cspReports,
    /** A fresh session, as /token answers, for scripted callbacks. */
    mintSession,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections();
        server.close(ok);
      }),
  };
}
