// The drop-in classic script: defines window.SupabaseWorkOS.
import * as api from './index.js';

globalThis.SupabaseWorkOS = api;
