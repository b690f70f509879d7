// Imports a module of the JS shell (pkg-template/src) as written. The file scripts/build writes
// beside it comes from the last build: the inlined wasm (target/pkg-stage/wasm-module.js), so the
// core answers as in the package.
import { register } from 'node:module';

register('./resolve-stage.mjs', import.meta.url);

/** @param {string} name a file of pkg-template/src */
export const load = (name) => import(new URL(`../../pkg-template/src/${name}`, import.meta.url).href);
