// Importing the module does not declare the script tag's global.
import { createClient } from 'supabase-workos';

createClient('https://abcd.supabase.co', 'anon-key');
// @ts-expect-error: only `supabase-workos/script` declares window.SupabaseWorkOS
window.SupabaseWorkOS.createClient('https://abcd.supabase.co', 'anon-key');
