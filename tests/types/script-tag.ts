/// <reference types="supabase-workos/script" />
// A page that loads dist/supabase-workos.js with a <script> tag and no bundler.
import { expectType, type Equal } from './util.js';

const auth = window.SupabaseWorkOS.createClient('https://abcd.supabase.co', 'anon-key');
const same = SupabaseWorkOS.createClient('https://abcd.supabase.co', 'anon-key', { flowType: 'implicit' });
expectType<Equal<typeof auth, typeof same>>();
void auth.signInWithWorkOS({ organization: 'org_1' });
const key: string = SupabaseWorkOS.storageKeyFor('https://abcd.supabase.co');
// @ts-expect-error: the global is the typed module, not `any`
SupabaseWorkOS.createClient('https://abcd.supabase.co');
// @ts-expect-error: exactly one selector, also through the global
void auth.signInWithWorkOS({ connection: 'c', organization: 'o' });
export { key };
