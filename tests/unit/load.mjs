// Imports a module of the JS shell (pkg-template/src) as written. The two files scripts/build
// writes beside it come from the last build: wasm-bindgen's glue (target/wasm-pack/core.js) and
// the inlined wasm (target/pkg-stage/wasm-module.js), so the core answers as in the package.
import { register } from 'node:module';

register('./resolve-stage.mjs', import.meta.url);

/** @param {string} name a file of pkg-template/src */
export const load = (name) => import(new URL(`../../pkg-template/src/${name}`, import.meta.url).href);
