// Real-looking Supabase Auth material: an HS256 access token signed with a throwaway secret,
// GoTrue-shaped refresh tokens, a WorkOS user as GET /auth/v1/user returns it.
import { createHmac, randomBytes, randomUUID } from 'node:crypto';

const SECRET = randomBytes(32);
export const USER_ID = randomUUID();
const SESSION_ID = randomUUID();
const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

export const ISSUER = 'http://127.0.0.1/auth/v1';
const EMAIL = 'ada@example.com';

/** An HS256 JWT as GoTrue mints it for a WorkOS sign-in, valid for an hour from now. */
export function mintAccessToken(now = Math.floor(Date.now() / 1000)) {
  const header = { alg: 'HS256', kid: 'bench', typ: 'JWT' };
  const payload = {
    iss: ISSUER,
    sub: USER_ID,
    aud: 'authenticated',
    exp: now + 3600,
    iat: now,
    email: EMAIL,
    phone: '',
    app_metadata: { provider: 'workos', providers: ['workos'] },
    user_metadata: {
      custom_claims: { connection_id: 'conn_01HBENCHCONNECTION0000000', organization_id: 'org_01HBENCHORGANIZATION00000' },
      email: EMAIL,
      email_verified: true,
      full_name: 'Ada Lovelace',
      iss: 'https://api.workos.com',
      name: 'Ada Lovelace',
      provider_id: 'prof_01HBENCHPROFILE000000000',
      sub: 'prof_01HBENCHPROFILE000000000',
    },
    role: 'authenticated',
    aal: 'aal1',
    amr: [{ method: 'oauth', timestamp: now }],
    session_id: SESSION_ID,
    is_anonymous: false,
  };
  const signing = `${b64url(header)}.${b64url(payload)}`;
  return `${signing}.${createHmac('sha256', SECRET).update(signing).digest('base64url')}`;
}

/** GoTrue's refresh tokens are 12 lower-case alphanumerics. */
export function refreshToken() {
  const abc = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(12), (b) => abc[b % abc.length]).join('');
}

/** The token fields of a fresh session (what /token answers, and what an implicit callback carries). */
export function mintSession() {
  const now = Math.floor(Date.now() / 1000);
  return {
    access_token: mintAccessToken(now),
    token_type: 'bearer',
    expires_in: 3600,
    expires_at: now + 3600,
    refresh_token: refreshToken(),
  };
}

/** The implicit callback fragment GoTrue redirects to (keys sorted, `sb=` marker), as in PROTOCOL.md §4. */
export function implicitFragment() {
  const s = mintSession();
  return (
    `#access_token=${s.access_token}&expires_at=${s.expires_at}&expires_in=${s.expires_in}` +
    `&provider_token=${randomBytes(24).toString('base64url')}&refresh_token=${s.refresh_token}&sb=&token_type=bearer`
  );
}

/** The user JSON of GET /auth/v1/user (PROTOCOL.md §5). */
export function userJson() {
  const t = new Date().toISOString();
  return {
    id: USER_ID,
    aud: 'authenticated',
    role: 'authenticated',
    email: EMAIL,
    email_confirmed_at: t,
    phone: '',
    confirmed_at: t,
    last_sign_in_at: t,
    app_metadata: { provider: 'workos', providers: ['workos'] },
    user_metadata: {
      custom_claims: { connection_id: 'conn_01HBENCHCONNECTION0000000', organization_id: 'org_01HBENCHORGANIZATION00000' },
      email: EMAIL,
      email_verified: true,
      full_name: 'Ada Lovelace',
      iss: 'https://api.workos.com',
      name: 'Ada Lovelace',
      provider_id: 'prof_01HBENCHPROFILE000000000',
      sub: 'prof_01HBENCHPROFILE000000000',
    },
    identities: [
      {
        identity_id: randomUUID(),
        id: 'prof_01HBENCHPROFILE000000000',
        user_id: USER_ID,
        identity_data: { email: EMAIL, email_verified: true, sub: 'prof_01HBENCHPROFILE000000000' },
        provider: 'workos',
        last_sign_in_at: t,
        created_at: t,
        updated_at: t,
        email: EMAIL,
      },
    ],
    created_at: t,
    updated_at: t,
    is_anonymous: false,
  };
}
