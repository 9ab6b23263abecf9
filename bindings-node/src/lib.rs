//! The Node binding of thumbsmith: translation only.
//!
//! Bytes (or a file path) and a plain options object go in; a Buffer and a plain info object come
//! out. Options are handed to `thumbsmith::Options::from_value` untouched — no defaults, parsing
//! or validation live here — and every error is the core's, with its message and stable code.
//! Each job runs as an `AsyncTask` on the libuv thread pool, so the event loop only converts
//! values in and out.

#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

use napi::bindgen_prelude::{
    AsyncTask, Buffer, FromNapiValue, JsObjectValue, JsValue, Object, ToNapiValue, TypeName,
    Uint8Array, Unknown,
};
use napi::{sys, Env, Status, Task, ValueType};
use napi_derive::napi;
use serde_json::{Map, Value};
use std::path::Path;

/// Where a job's image comes from.
pub enum Source {
    /// A Buffer or Uint8Array, read in place on the pool thread (no copy).
    Bytes(Uint8Array),
    /// A file, read on the pool thread with the core's size check.
    Path(String),
    /// `{create: {width, height, channels, background}}`: the core makes the image on the pool
    /// thread.
    Create(thumbsmith::Create),
}

impl Source {
    /// The encoded input: the bytes given, the file read, or the image created.
    fn bytes(&self, max_input_bytes: u64) -> thumbsmith::Result<std::borrow::Cow<'_, [u8]>> {
        use std::borrow::Cow;
        Ok(match self {
            Source::Bytes(bytes) => Cow::Borrowed(bytes),
            Source::Path(path) => {
                Cow::Owned(thumbsmith::read_input(Path::new(path), max_input_bytes)?)
            }
            Source::Create(spec) => Cow::Owned(thumbsmith::create(spec)?),
        })
    }
}

/// Why a job is refused.
#[derive(Debug)]
pub enum Refusal {
    /// The core said no.
    Core(thumbsmith::Error),
    /// The input is neither bytes nor a path: a JS calling mistake the core never sees.
    InputType(&'static str),
}

impl From<thumbsmith::Error> for Refusal {
    fn from(error: thumbsmith::Error) -> Self {
        Refusal::Core(error)
    }
}

const INPUT_TYPE_CODE: &str = "ERR_INVALID_ARG_TYPE";

/// What a JS error is made of: `code`, `message`, and the facts of the variant as properties
/// (so a caller can read `err.option` instead of parsing the message).
#[derive(Debug, PartialEq)]
struct ErrorParts {
    code: &'static str,
    message: String,
    facts: Vec<(&'static str, Value)>,
}

impl Refusal {
    fn parts(&self) -> ErrorParts {
        let error = match self {
            Refusal::Core(error) => error,
            Refusal::InputType(given) => {
                return ErrorParts {
                    code: INPUT_TYPE_CODE,
                    message: format!(
                        "input must be a Buffer, a Uint8Array or a file path, got {given}"
                    ),
                    facts: vec![],
                }
            }
        };
        // The core's facts, spelled for JS (`option: 'maxInputPixels'`).
        let facts = error.facts_camel_case();
        ErrorParts {
            code: error.code(),
            message: error.to_string(),
            facts,
        }
    }

    /// The JS `Error` the promise rejects with (built on the event loop, in `resolve`).
    fn into_js(self, env: &Env) -> napi::Error {
        let ErrorParts {
            code,
            message,
            facts,
        } = self.parts();
        let build = || -> napi::Result<napi::Error> {
            let mut error = env.create_error(napi::Error::new(Status::GenericFailure, message))?;
            error.set_named_property("code", code)?;
            for (name, value) in facts {
                error.set_named_property(name, value)?;
            }
            // An error made from a JS value rejects with that very object.
            Ok(napi::Error::from(error.to_unknown()))
        };
        build().unwrap_or_else(|failure| failure)
    }
}

/// Reads the `input` argument: a Buffer / Uint8Array or a path string.
fn source_from_js(env: &Env, input: Unknown) -> Result<Source, Refusal> {
    let raw = (env.raw(), input.raw());
    match input.get_type() {
        // SAFETY: `raw` is this call's live env and argument handle, and `get_type` said it is
        // a string, the type `String::from_napi_value` reads.
        Ok(ValueType::String) => unsafe { String::from_napi_value(raw.0, raw.1) }
            .map(Source::Path)
            .map_err(|_| Refusal::InputType("an unreadable string")),
        // SAFETY: `raw` is this call's live env and argument handle; `from_napi_value` checks
        // that the object is a typed array and returns an error otherwise.
        Ok(ValueType::Object) => match unsafe { Uint8Array::from_napi_value(raw.0, raw.1) } {
            Ok(bytes) => Ok(Source::Bytes(bytes)),
            Err(_) => created(env, input),
        },
        Ok(ValueType::Undefined) => Err(Refusal::InputType("undefined")),
        Ok(ValueType::Null) => Err(Refusal::InputType("null")),
        Ok(ValueType::Number) => Err(Refusal::InputType("a number")),
        Ok(_) | Err(_) => Err(Refusal::InputType("another type")),
    }
}

/// An object input that is not bytes: `{create: {…}}`, read by the core's `Create`.
fn created(env: &Env, input: Unknown) -> Result<Source, Refusal> {
    let not_an_input = || Refusal::InputType("an object that is neither a Uint8Array nor {create}");
    match json_from_js(env, input, "", 0) {
        Ok(Some(Value::Object(mut fields)))
            if fields.len() == 1 && fields.contains_key("create") =>
        {
            let spec = fields.remove("create").unwrap_or(Value::Null);
            Ok(Source::Create(thumbsmith::Create::from_value(spec)?))
        }
        Ok(_) => Err(not_an_input()),
        Err(message) => Err(Refusal::Core(thumbsmith::Error::InvalidOption(message))),
    }
}

/// Reads the `options` argument into the core's one options type. `undefined` or `null` mean no
/// options given; anything else goes to `Options::from_value`, which parses and validates.
fn options_from_js(env: &Env, options: Option<Unknown>) -> thumbsmith::Result<thumbsmith::Options> {
    let value = match options {
        None => None,
        Some(given) => json_from_js(env, given, "", 0).map_err(thumbsmith::Error::InvalidOption)?,
    };
    let value = match value {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(value) => value,
    };
    thumbsmith::Options::from_value(value)
}

/// Options nest a level or two; anything deeper is a mistake (or a cycle).
const MAX_DEPTH: u32 = 8;

/// Reads a JS value as JSON for the core. `None` is `undefined`: a key with that value is left out,
/// as if not given. What JSON cannot hold (NaN, a function…) is refused naming the key's path,
/// spelled as the caller spelled it.
fn json_from_js(
    env: &Env,
    value: Unknown,
    path: &str,
    depth: u32,
) -> std::result::Result<Option<Value>, String> {
    let shown = if path.is_empty() { "options" } else { path };
    let unreadable = |e: napi::Error| format!("`{shown}` cannot be read: {}", e.reason);
    let raw = (env.raw(), value.raw());
    let ty = value.get_type().map_err(unreadable)?;
    Ok(Some(match ty {
        ValueType::Undefined => return Ok(None),
        ValueType::Null => Value::Null,
        ValueType::Boolean => {
            // SAFETY: `raw` is this call's live env and value handle, of the type just read.
            Value::Bool(unsafe { bool::from_napi_value(raw.0, raw.1) }.map_err(unreadable)?)
        }
        ValueType::String => {
            // SAFETY: as for the boolean above.
            Value::String(unsafe { String::from_napi_value(raw.0, raw.1) }.map_err(unreadable)?)
        }
        ValueType::Number => {
            // SAFETY: as for the boolean above.
            let number = unsafe { f64::from_napi_value(raw.0, raw.1) }.map_err(unreadable)?;
            json_number(number)
                .ok_or_else(|| format!("`{shown}` is {number}, not a finite number"))?
        }
        ValueType::Object if depth >= MAX_DEPTH => {
            return Err(format!(
                "`{shown}` is nested more than {MAX_DEPTH} levels deep"
            ))
        }
        ValueType::Object => {
            // SAFETY: as for the boolean above.
            let object = unsafe { Object::from_napi_value(raw.0, raw.1) }.map_err(unreadable)?;
            if object.is_array().map_err(unreadable)? {
                let length = object.get_array_length().map_err(unreadable)?;
                let mut items = Vec::with_capacity(length as usize);
                for index in 0..length {
                    let item_path = format!("{shown}[{index}]");
                    let item: Unknown = object.get_element(index).map_err(unreadable)?;
                    let item = json_from_js(env, item, &item_path, depth + 1)?
                        .ok_or_else(|| format!("`{item_path}` is undefined"))?;
                    items.push(item);
                }
                Value::Array(items)
            } else {
                let mut fields = Map::new();
                for key in Object::keys(&object).map_err(unreadable)? {
                    let key_path = if path.is_empty() {
                        key.clone()
                    } else {
                        format!("{path}.{key}")
                    };
                    let field: Unknown = object.get_named_property(&key).map_err(unreadable)?;
                    if let Some(field) = json_from_js(env, field, &key_path, depth + 1)? {
                        fields.insert(key, field);
                    }
                }
                Value::Object(fields)
            }
        }
        other => {
            let kind = format!("{other}").to_lowercase();
            return Err(format!("`{shown}` is a {kind}, not an option value"));
        }
    }))
}

/// A JS number as JSON: whole numbers become integers (JS has only doubles, but `maxInputPixels:
/// 5e9` must reach serde as the u64 it is), other finite numbers stay floats, NaN/∞ are `None`.
fn json_number(number: f64) -> Option<Value> {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: every whole double up to here is exact
    if !number.is_finite() {
        return None;
    }
    Some(if number.fract() == 0.0 && number.abs() <= EXACT {
        if number >= 0.0 {
            Value::from(number as u64)
        } else {
            Value::from(number as i64)
        }
    } else {
        Value::from(number)
    })
}

/// A core result (or the defaults) as JS reads it: the core's one serialisation, camelCase.
fn to_js_value(value: &impl serde::Serialize) -> thumbsmith::Result<Value> {
    thumbsmith::to_value(value, thumbsmith::Naming::CamelCase)
}

/// What `process` resolves to: `{data, info}`, the shape of sharp's
/// `toBuffer({resolveWithObject: true})`.
#[napi(object)]
pub struct ProcessResult {
    /// The encoded image (absent when it was written to a file).
    pub data: Option<Buffer>,
    /// The core's `Output` as it serialises (`size` and `mimeType` among its fields), camelCase.
    pub info: Value,
}

/// One `process` job, as it crosses to the thread pool.
pub struct ProcessJob {
    request: Option<Result<(Source, thumbsmith::Options), Refusal>>,
    /// `toFile`: where the pool thread writes the result.
    output_path: Option<String>,
}

impl ProcessJob {
    fn run(
        request: Result<(Source, thumbsmith::Options), Refusal>,
        output_path: Option<&str>,
    ) -> Result<(Option<Vec<u8>>, Value), Refusal> {
        let (source, options) = request?;
        let output = thumbsmith::process(&source.bytes(options.max_input_bytes)?, &options)?;
        let info = to_js_value(&output)?;
        match output_path {
            None => Ok((Some(output.data), info)),
            Some(path) => {
                thumbsmith::write_output(Path::new(path), &output.data)?;
                Ok((None, info))
            }
        }
    }
}

impl Task for ProcessJob {
    type Output = Result<(Option<Vec<u8>>, Value), Refusal>;
    type JsValue = ProcessResult;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let request = self
            .request
            .take()
            .ok_or_else(|| napi::Error::from_reason("a thumbsmith job ran twice"))?;
        Ok(Self::run(request, self.output_path.as_deref()))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<ProcessResult> {
        let (data, info) = output.map_err(|refusal| refusal.into_js(&env))?;
        Ok(ProcessResult {
            // Hands the Vec to V8 as external memory: no copy.
            data: data.map(Buffer::from),
            info,
        })
    }
}

/// A serde value handed to JS as a plain object (what a task resolves to must name its JS type).
pub struct PlainObject(Value);

impl TypeName for PlainObject {
    fn type_name() -> &'static str {
        "Object"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for PlainObject {
    unsafe fn to_napi_value(env: sys::napi_env, value: Self) -> napi::Result<sys::napi_value> {
        // SAFETY: napi calls this with the live `env` of the call returning the value, which is
        // what `Value::to_napi_value` needs.
        unsafe { Value::to_napi_value(env, value.0) }
    }
}

/// One `metadata` job.
pub struct MetadataJob {
    request: Option<Result<Source, Refusal>>,
}

impl MetadataJob {
    fn run(request: Result<Source, Refusal>) -> Result<Value, Refusal> {
        // No options here, so the core's own byte limit applies.
        let limit = thumbsmith::Options::default().max_input_bytes;
        let metadata = thumbsmith::metadata(&request?.bytes(limit)?)?;
        Ok(to_js_value(&metadata)?)
    }
}

impl Task for MetadataJob {
    type Output = Result<Value, Refusal>;
    type JsValue = PlainObject;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let request = self
            .request
            .take()
            .ok_or_else(|| napi::Error::from_reason("a thumbsmith job ran twice"))?;
        Ok(Self::run(request))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<PlainObject> {
        output
            .map(PlainObject)
            .map_err(|refusal| refusal.into_js(&env))
    }
}

fn process_job(
    env: &Env,
    input: Unknown,
    options: Option<Unknown>,
    output_path: Option<String>,
) -> AsyncTask<ProcessJob> {
    // Arguments are read now, on the event loop (JS values cannot cross threads); a bad one is
    // carried to the pool untouched so that it rejects the promise like any other failure.
    let request =
        source_from_js(env, input).and_then(|source| Ok((source, options_from_js(env, options)?)));
    AsyncTask::new(ProcessJob {
        request: Some(request),
        output_path,
    })
}

/// `process(input, options?)` → `Promise<{data, info}>`.
#[napi]
pub fn process(env: &Env, input: Unknown, options: Option<Unknown>) -> AsyncTask<ProcessJob> {
    process_job(env, input, options, None)
}

/// `processToFile(input, options, path)` → `Promise<{info}>`: `process`, then the pool thread
/// writes the bytes (a failure is the core's `Io` error).
#[napi]
pub fn process_to_file(
    env: &Env,
    input: Unknown,
    options: Option<Unknown>,
    path: String,
) -> AsyncTask<ProcessJob> {
    process_job(env, input, options, Some(path))
}

/// `metadata(input)` → `Promise<Metadata>`: the header facts, camelCase, no pixels decoded.
#[napi]
pub fn metadata(env: &Env, input: Unknown) -> AsyncTask<MetadataJob> {
    AsyncTask::new(MetadataJob {
        request: Some(source_from_js(env, input)),
    })
}

/// `validate(options)`: the core's check of an options object, now, on the calling thread (the
/// chain calls it as each method adds keys, so a bad value throws where it was given, as in
/// sharp); throws the core's error with its `code`.
#[napi]
pub fn validate(env: &Env, options: Option<Unknown>) -> napi::Result<()> {
    options_from_js(env, options)
        .map(drop)
        .map_err(|error| Refusal::Core(error).into_js(env))
}

/// `checkInput(input)`: the type check `process` makes of its input, now (sharp refuses an input
/// of the wrong type in its constructor); throws `ERR_INVALID_ARG_TYPE`, or the core's error for a
/// bad `{create}`. Nothing is read: a path is not opened.
#[napi]
pub fn check_input(env: &Env, input: Unknown) -> napi::Result<()> {
    source_from_js(env, input)
        .map(drop)
        .map_err(|refusal| refusal.into_js(env))
}

/// `validateCreate(spec)`: the core's check of a `create` description, now (sharp refuses a bad
/// one in its constructor); throws the core's error with its `code`.
#[napi]
pub fn validate_create(env: &Env, spec: Unknown) -> napi::Result<()> {
    let refuse = |error: thumbsmith::Error| Refusal::Core(error).into_js(env);
    let value = json_from_js(env, spec, "create", 0)
        .map_err(|message| refuse(thumbsmith::Error::InvalidOption(message)))?
        .unwrap_or(Value::Null);
    thumbsmith::Create::from_value(value)
        .and_then(|spec| spec.check())
        .map_err(refuse)
}

/// `simd()`: whether the resize runs SIMD kernels on this CPU (`THUMBSMITH_CPU=portable` or a CPU
/// without them: false).
#[napi]
pub fn simd() -> bool {
    thumbsmith::cpu::level() != thumbsmith::cpu::Cpu::Portable
}

/// The core's defaults, camelCase: the only defaults there are.
#[napi]
pub fn defaults() -> napi::Result<Value> {
    to_js_value(&thumbsmith::Options::default())
        .map_err(|e| napi::Error::from_reason(e.to_string()))
}

/// Every error `code` the core can produce.
#[napi]
pub fn error_codes() -> Vec<&'static str> {
    thumbsmith::Error::CODES.to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use thumbsmith::Error;

    fn parts(error: Error) -> ErrorParts {
        Refusal::Core(error).parts()
    }

    /// Every variant, including `Internal`, which no input can reach on purpose (it is a caught
    /// decoder panic): the JS side tests the other six through real inputs.
    #[test]
    fn every_variant_keeps_the_core_code_and_message() {
        let variants = [
            Error::UnsupportedFormat {
                format: "heic".into(),
            },
            Error::CorruptInput {
                format: "jpeg".into(),
                reason: "truncated".into(),
            },
            Error::LimitExceeded {
                what: "input pixel count",
                value: 3_600_000_000,
                limit: 268_402_689,
                option: "max_input_pixels",
            },
            Error::InvalidOption("unknown field `widht`".into()),
            Error::EncodeFailed {
                format: "webp".into(),
                reason: "lossy".into(),
            },
            Error::Io {
                path: "/nope/a.jpg".into(),
                kind: thumbsmith::IoErrorKind::NotFound,
                reason: "No such file or directory".into(),
            },
            Error::Internal("a decoder panicked".into()),
        ];
        let codes: Vec<_> = variants.iter().map(|e| parts(e.clone()).code).collect();
        assert_eq!(codes, Error::CODES);
        for error in variants {
            assert_eq!(parts(error.clone()).message, error.to_string());
        }
    }

    #[test]
    fn facts_are_named_for_js() {
        let limit = parts(Error::LimitExceeded {
            what: "input pixel count",
            value: 3_600_000_000,
            limit: 268_402_689,
            option: "max_input_pixels",
        });
        assert_eq!(
            limit.facts,
            vec![
                ("value", Value::from(3_600_000_000u64)),
                ("limit", Value::from(268_402_689u64)),
                ("option", Value::from("maxInputPixels")),
            ]
        );
        let io = parts(Error::Io {
            path: "/nope/a.jpg".into(),
            kind: thumbsmith::IoErrorKind::NotFound,
            reason: "gone".into(),
        });
        assert_eq!(
            io.facts,
            vec![
                ("path", Value::from("/nope/a.jpg")),
                ("kind", Value::from("not_found"))
            ]
        );
        assert_eq!(
            Refusal::InputType("a number").parts().code,
            "ERR_INVALID_ARG_TYPE"
        );
    }

    #[test]
    fn whole_doubles_become_integers_and_fractions_stay() {
        assert_eq!(json_number(5e9), Some(Value::from(5_000_000_000u64)));
        assert_eq!(json_number(-3.0), Some(Value::from(-3i64)));
        assert_eq!(json_number(0.25), Some(Value::from(0.25)));
        assert_eq!(json_number(2f64.powi(60)), Some(Value::from(2f64.powi(60))));
        assert_eq!(json_number(f64::NAN), None);
        assert_eq!(json_number(f64::INFINITY), None);
        let options = thumbsmith::Options::from_value(serde_json::json!({
            "maxInputPixels": json_number(5e9).unwrap()
        }))
        .unwrap();
        assert_eq!(options.max_input_pixels, 5_000_000_000);
    }

    #[test]
    fn results_are_camel_case_at_every_depth() {
        let value = thumbsmith::camel_case_keys(serde_json::json!({
            "source_width": 1, "crop": {"left": 0}, "list": [{"has_alpha": true}]
        }));
        assert_eq!(
            value,
            serde_json::json!({"sourceWidth": 1, "crop": {"left": 0}, "list": [{"hasAlpha": true}]})
        );
    }

    #[test]
    fn defaults_round_trip_through_the_core() {
        let defaults = to_js_value(&thumbsmith::Options::default()).unwrap();
        assert_eq!(
            thumbsmith::Options::from_value(defaults).unwrap(),
            thumbsmith::Options::default()
        );
    }
}
