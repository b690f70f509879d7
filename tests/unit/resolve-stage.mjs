// Module resolution hook for load.mjs: the shell's imports of the built files.
const root = new URL('../../', import.meta.url);
const built = {
  './wasm-module.js': new URL('target/pkg-stage/wasm-module.js', root).href,
};

export async function resolve(specifier, context, next) {
  if (Object.hasOwn(built, specifier) && context.parentURL?.includes('/pkg-template/src/')) {
    return { url: built[specifier], shortCircuit: true };
  }
  return next(specifier, context);
}
