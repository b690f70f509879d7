// supabase-js as the witness: our Session, User and events are what its own types expect, so a
// session from this library can be handed to code written against supabase-js.
import type * as ours from 'supabase-workos';
import type * as sb from '@supabase/auth-js';

declare const session: ours.Session;
declare const user: ours.User;
declare const event: ours.AuthChangeEvent;

export const asSupabaseSession: sb.Session = session;
export const asSupabaseUser: sb.User = user;
export const asSupabaseEvent: sb.AuthChangeEvent = event;
