// Loads the app's wasm: wasm-bindgen's `--target web` glue, started from a file of its own so
// that the page needs no inline script.
import init from './leptos_app.js';

init();
