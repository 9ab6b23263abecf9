//! The WebAssembly binding of thumbsmith: translation only.
//!
//! Bytes and a plain options object go in; a `Uint8Array` (or RGBA pixels for a canvas) and a
//! plain info object come out. Options are handed to `thumbsmith::Options::from_value` untouched —
//! no defaults, parsing or validation live here — and every error is the core's, thrown as a JS
//! `Error` with its message and stable `code`, as the Node binding does.
//!
//! wasm32 has no unwinding: a panic or a failed allocation aborts with an `unreachable` trap. So
//! that a caller never sees a bare trap, both leave their reason behind (the panic hook and the
//! allocator below) and the JS loader (`js/index.js`) turns the trap into the core's
//! `Error::Internal` through [`take_fatal_error`], then replaces the broken instance.

#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use std::sync::Mutex;

use js_sys::{ArrayBuffer, Object, Reflect, Uint8Array, Uint8ClampedArray};
use serde::Serialize;
use serde_json::{Map, Value};
use thumbsmith::Error;
use wasm_bindgen::prelude::*;

/// `process(input, options?)` → `{data, format, mimeType, size, width, height, crop, …}`: the
/// whole pipeline, `data` being the encoded image.
#[wasm_bindgen]
pub fn process(input: &JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let (input, options) = (bytes_from_js(input)?, options_from_js(options)?);
    let output = thumbsmith::process(&input, &options).map_err(error_to_js)?;
    let result = to_js(&output)?;
    set(&result, "data", &Uint8Array::from(output.data.as_slice()))?;
    if let Some(hash) = &output.thumbhash {
        set(&result, "thumbhash", &Uint8Array::from(hash.as_slice()))?;
    }
    Ok(result)
}

/// `render(input, options?)` → `{data, width, height, crop, …}`: the pixels `process` would
/// encode, as straight-alpha RGBA in a `Uint8ClampedArray` (`new ImageData(data, width, height)`),
/// without the encode step.
#[wasm_bindgen]
pub fn render(input: &JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let (input, options) = (bytes_from_js(input)?, options_from_js(options)?);
    let rendered = thumbsmith::render(&input, &options).map_err(error_to_js)?;
    let result = to_js(&rendered)?;
    set(
        &result,
        "data",
        &Uint8ClampedArray::from(rendered.rgba.as_slice()),
    )?;
    Ok(result)
}

/// `metadata(input)` → the header facts, camelCase, no pixels decoded.
#[wasm_bindgen]
pub fn metadata(input: &JsValue) -> Result<JsValue, JsValue> {
    let input = bytes_from_js(input)?;
    to_js(&thumbsmith::metadata(&input).map_err(error_to_js)?)
}

/// `warmUp()`: the core's warm-up job (a JPEG and a PNG it makes itself), so that the first real
/// job runs optimised code; the worker runs it once at `init`.
#[wasm_bindgen(js_name = warmUp)]
pub fn warm_up() -> Result<(), JsValue> {
    thumbsmith::warm_up().map_err(error_to_js)
}

/// The core's defaults, camelCase: the only defaults there are.
#[wasm_bindgen]
pub fn defaults() -> Result<JsValue, JsValue> {
    to_js(&thumbsmith::Options::default())
}

/// Every error `code` the core can produce.
#[wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> Vec<String> {
    Error::CODES.iter().map(|c| c.to_string()).collect()
}

/// The input must be bytes: a `Uint8Array` (Node's `Buffer` is one) or an `ArrayBuffer`.
/// Anything else is a JS calling mistake the core never sees (Node's `ERR_INVALID_ARG_TYPE`).
fn bytes_from_js(input: &JsValue) -> Result<Vec<u8>, JsValue> {
    if let Some(array) = input.dyn_ref::<Uint8Array>() {
        return Ok(array.to_vec());
    }
    if let Some(buffer) = input.dyn_ref::<ArrayBuffer>() {
        return Ok(Uint8Array::new(buffer).to_vec());
    }
    let given = if input.is_undefined() {
        "undefined".to_string()
    } else if input.is_null() {
        "null".to_string()
    } else {
        format!("a {}", input.js_typeof().as_string().unwrap_or_default())
    };
    let error = js_sys::TypeError::new(&format!(
        "input must be a Uint8Array or an ArrayBuffer, got {given}"
    ));
    set(&error, "code", &"ERR_INVALID_ARG_TYPE".into())?;
    Err(error.into())
}

/// `undefined` or `null` mean no options given; anything else goes to `Options::from_value`,
/// which parses and validates (keys camelCase or snake_case).
fn options_from_js(options: JsValue) -> Result<thumbsmith::Options, JsValue> {
    let value = if options.is_undefined() || options.is_null() {
        Value::Object(Map::new())
    } else {
        serde_wasm_bindgen::from_value(options)
            .map_err(|e| error_to_js(Error::InvalidOption(e.to_string())))?
    };
    thumbsmith::Options::from_value(value).map_err(error_to_js)
}

/// A core result (or the defaults) as a plain JS object: the core's one serialisation, camelCase
/// (numbers, not BigInts; `null` for `None`).
fn to_js(value: &impl Serialize) -> Result<JsValue, JsValue> {
    let value = thumbsmith::to_value(value, thumbsmith::Naming::CamelCase).map_err(error_to_js)?;
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| error_to_js(Error::Internal(format!("serializing a result: {e}"))))
}

fn set(target: &JsValue, key: &str, value: &JsValue) -> Result<(), JsValue> {
    Reflect::set(target, &key.into(), value).map(|_| ())
}

/// The JS `Error` for a core error: the core's message, its `code`, and the facts of the variant
/// as properties (the same ones the Node binding sets, so `err.option` needs no parsing).
fn error_to_js(error: Error) -> JsValue {
    // The core's facts, spelled for JS; numbers become f64, exact for every limit a browser
    // can reach (2^53).
    let facts = error.facts_camel_case().into_iter().map(|(name, value)| {
        let value = match value {
            Value::Number(n) => JsValue::from(n.as_f64().unwrap_or(f64::NAN)),
            Value::String(s) => JsValue::from(s),
            other => JsValue::from(other.to_string()),
        };
        (name, value)
    });
    let js = js_sys::Error::new(&error.to_string());
    let properties = Object::new();
    for (name, value) in std::iter::once(("code", error.code().into())).chain(facts) {
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&properties, &name.into(), &value);
    }
    Object::assign(&js, &properties);
    js.into()
}

// ----- traps: a panic or a failed allocation becomes the core's `Error::Internal` -----

/// Why the last call trapped, when it was a panic (its message) …
static PANIC_MESSAGE: Mutex<Option<String>> = Mutex::new(None);
/// … or a failed allocation (the bytes asked for).
static FAILED_ALLOCATION: AtomicUsize = AtomicUsize::new(0);
/// Freed after an out-of-memory trap so that building the error has room to allocate.
static RESERVE: AtomicPtr<u8> = AtomicPtr::new(std::ptr::null_mut());
const RESERVE_LAYOUT: Layout = match Layout::from_size_align(64 * 1024, 8) {
    Ok(layout) => layout,
    Err(_) => panic!("bad reserve layout"),
};

/// The system allocator, noting the size of a request it cannot meet before std aborts.
struct RecordingAllocator;

impl RecordingAllocator {
    fn note(pointer: *mut u8, layout: Layout) -> *mut u8 {
        if pointer.is_null() {
            FAILED_ALLOCATION.store(layout.size().max(1), Ordering::Relaxed);
        }
        pointer
    }
}

// SAFETY: every method hands its request to `System` unchanged and returns `System`'s pointer
// unchanged, so `System`'s guarantees are this allocator's; `note` only reads the pointer.
unsafe impl GlobalAlloc for RecordingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's `layout` has a non-zero size (`GlobalAlloc::alloc`'s contract).
        Self::note(unsafe { System.alloc(layout) }, layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as in `alloc`.
        Self::note(unsafe { System.alloc_zeroed(layout) }, layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `realloc`'s contract: `new_size`, rounded up to `layout.align()` (a power of
        // two), does not overflow `isize`, so this layout is valid.
        let grown = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: `ptr` was allocated by this allocator (so by `System`) with `layout`, and
        // `new_size` is non-zero (`realloc`'s contract, passed on unchanged).
        Self::note(unsafe { System.realloc(ptr, layout, new_size) }, grown)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by this allocator (so by `System`) with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: RecordingAllocator = RecordingAllocator;

#[wasm_bindgen(start)]
fn start() {
    #[cfg(feature = "stage-marks")]
    thumbsmith::observe_stages(stage_marks::observe);
    // SAFETY: `RESERVE_LAYOUT` is 64 KiB, not zero-sized; a null result is kept and never freed.
    RESERVE.store(unsafe { System.alloc(RESERVE_LAYOUT) }, Ordering::Relaxed);
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut slot) = PANIC_MESSAGE.lock() {
            *slot = Some(info.to_string());
        }
    }));
}

/// After a call trapped (`WebAssembly.RuntimeError`): the core's `Error::Internal` saying why, as
/// the JS `Error` the call should have thrown. The loader calls it once, then drops this instance
/// (its heap still holds what the trapped call allocated) for a fresh one.
#[wasm_bindgen(js_name = takeFatalError)]
pub fn take_fatal_error() -> JsValue {
    let reserve = RESERVE.swap(std::ptr::null_mut(), Ordering::Relaxed);
    if !reserve.is_null() {
        // SAFETY: a non-null `RESERVE` came from `System.alloc(RESERVE_LAYOUT)` in `start`, and
        // the swap above took it out, so it is freed once.
        unsafe { System.dealloc(reserve, RESERVE_LAYOUT) };
    }
    let panic = PANIC_MESSAGE.lock().ok().and_then(|mut slot| slot.take());
    let failed = FAILED_ALLOCATION.swap(0, Ordering::Relaxed);
    let reason = match (panic, failed) {
        (Some(message), _) => message,
        (None, 0) => "WebAssembly trap".to_string(),
        (None, bytes) => format!("out of memory: allocating {bytes} bytes failed"),
    };
    error_to_js(Error::Internal(reason))
}

/// The core's `Error::Internal` for a trap the trapped instance could not explain itself (the
/// loader asks the fresh instance that replaces it).
#[wasm_bindgen(js_name = internalError)]
pub fn internal_error(detail: String) -> JsValue {
    error_to_js(Error::Internal(detail))
}

/// The bench build's stage marks (`make bench-browser`): each core stage as a
/// `performance.measure` entry named `thumbsmith:<stage>`, read by the bench page.
#[cfg(feature = "stage-marks")]
mod stage_marks {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_namespace = performance)]
        fn mark(name: &str);
        #[wasm_bindgen(js_namespace = performance)]
        fn measure(name: &str, start_mark: &str);
    }

    pub(crate) fn observe(stage: &'static str, start: bool) {
        let name = format!("thumbsmith:{stage}");
        match start {
            true => mark(&format!("{name}:start")),
            false => measure(&name, &format!("{name}:start")),
        }
    }
}
