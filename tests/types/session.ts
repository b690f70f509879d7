// The Session and User fields: supabase-js's stored shape, field by field.
import type { AuthChangeEvent, Session, User, UserIdentity } from 'supabase-workos';
import { expectType, type Equal } from './util.js';

declare const s: Session;
expectType<Equal<typeof s.access_token, string>>();
expectType<Equal<typeof s.token_type, 'bearer'>>();
expectType<Equal<typeof s.expires_in, number>>();
expectType<Equal<typeof s.expires_at, number>>();
expectType<Equal<typeof s.refresh_token, string>>();
expectType<Equal<typeof s.user, User>>();
expectType<Equal<typeof s.provider_token, string | null | undefined>>();
expectType<Equal<typeof s.provider_refresh_token, string | null | undefined>>();
expectType<
  Equal<
    keyof Session,
    | 'access_token'
    | 'token_type'
    | 'expires_in'
    | 'expires_at'
    | 'refresh_token'
    | 'user'
    | 'provider_token'
    | 'provider_refresh_token'
  >
>();

declare const u: User;
expectType<Equal<typeof u.id, string>>();
expectType<Equal<typeof u.aud, string>>();
expectType<Equal<typeof u.email, string | undefined>>();
expectType<Equal<typeof u.created_at, string>>();
expectType<Equal<typeof u.is_anonymous, boolean | undefined>>();
expectType<Equal<typeof u.identities, UserIdentity[] | undefined>>();
expectType<Equal<typeof u.app_metadata.provider, string | undefined>>();
expectType<Equal<typeof u.app_metadata.providers, string[] | undefined>>();
expectType<Equal<typeof u.user_metadata.email_verified, boolean | undefined>>();
expectType<Equal<NonNullable<typeof u.user_metadata.custom_claims>['organization_id'], string | undefined>>();
// Unknown metadata is `unknown`, never `any`: it has to be checked before use.
expectType<Equal<(typeof u.user_metadata)['anything'], unknown>>();

expectType<
  Equal<
    AuthChangeEvent,
    'INITIAL_SESSION' | 'SIGNED_IN' | 'SIGNED_OUT' | 'TOKEN_REFRESHED' | 'USER_UPDATED' | 'PASSWORD_RECOVERY'
  >
>();

// A session as supabase-js stores it, written out by hand, is a Session.
const stored: Session = {
  access_token: 'eyJ…',
  token_type: 'bearer',
  expires_in: 3600,
  expires_at: 1_900_000_000,
  refresh_token: 'rt',
  user: {
    id: 'u1',
    aud: 'authenticated',
    role: 'authenticated',
    email: 'ada@example.com',
    app_metadata: { provider: 'workos', providers: ['workos'] },
    user_metadata: {
      iss: 'https://api.workos.com',
      sub: 'prof_1',
      email: 'ada@example.com',
      email_verified: true,
      custom_claims: { connection_id: 'conn_1', organization_id: 'org_1' },
    },
    identities: [{ id: 'prof_1', user_id: 'u1', identity_id: 'i1', provider: 'workos' }],
    created_at: '2026-01-01T00:00:00Z',
    is_anonymous: false,
  },
};
export { stored };
