// wasm-bindgen's glue (target/wasm-pack/core.js), copied beside the shell as bindgen.js by
// scripts/build.
export function initSync(module: { module: WebAssembly.Module }): unknown;
export function decide(input: string): string;
