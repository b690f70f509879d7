// The steps of the shell's first use of the core, one by one on the same bytes and glue:
// decoding the inlined string (wasm-module.js's wasmBytes), synchronous compilation
// (new WebAssembly.Module), instantiation (the shell's core.js, instantiate), first call.
import { wasmBytes } from 'bench-wasm-module';
import { instantiate, decide } from 'bench-core-glue';

globalThis.__coldParts = () => {
  const t0 = performance.now();
  const bytes = wasmBytes();
  const t1 = performance.now();
  const module = new WebAssembly.Module(bytes);
  const t2 = performance.now();
  instantiate(module);
  const t3 = performance.now();
  // The core's one export, asked what the shell asks for buildAuthorizeUrl.
  decide(
    [
      's',
      '+https:\nhttps://abcdefghijklmnop.supabase.co\nabcdefghijklmnop.supabase.co\n/\n1',
      '+https:\nhttps://app.example.com\napp.example.com\n/auth/callback\n1',
      '',
      '+conn_01HBENCHCONNECTION0000000',
      '',
      '',
      '+https://app.example.com/auth/callback',
      '',
      '',
      '',
      '',
      '',
      '+implicit',
      '',
    ].join('\0'),
  );
  const t4 = performance.now();
  return { decode: t1 - t0, compile: t2 - t1, instantiate: t3 - t2, call: t4 - t3 };
};
