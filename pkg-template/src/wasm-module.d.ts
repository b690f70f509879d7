// The wasm bytes inlined by scripts/inline-wasm.mjs, written into the stage by scripts/build.
export function wasmBytes(): Uint8Array;
export const wasmModule: () => WebAssembly.Module;
