//! The few browser APIs the boundary calls synchronously, declared by hand (smaller than
//! web-sys's generated bindings for the same calls).

use alloc::string::String;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The WHATWG URL parser, `globalThis.URL`.
    #[wasm_bindgen(js_name = URL)]
    pub type Url;
    #[wasm_bindgen(constructor, catch, js_class = URL)]
    pub fn new(input: &str) -> Result<Url, JsValue>;
    #[wasm_bindgen(method, getter)]
    pub fn protocol(this: &Url) -> String;
    #[wasm_bindgen(method, getter)]
    pub fn origin(this: &Url) -> String;
    #[wasm_bindgen(method, getter)]
    pub fn hostname(this: &Url) -> String;
    #[wasm_bindgen(method, getter)]
    pub fn pathname(this: &Url) -> String;
    #[wasm_bindgen(method, getter)]
    pub fn search(this: &Url) -> String;
    #[wasm_bindgen(method, getter)]
    pub fn hash(this: &Url) -> String;

    /// `crypto.getRandomValues`, available in windows and workers.
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues)]
    pub fn get_random_values(buf: &mut [u8]);

    /// `console.warn`, for advice that never carries a secret.
    #[wasm_bindgen(js_namespace = console)]
    pub fn warn(message: &str);
}
