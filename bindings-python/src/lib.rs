//! `thumbsmith._thumbsmith`, the native module behind the `thumbsmith` Python package.
//!
//! Translation only: a Python object becomes input bytes, keyword arguments become a
//! `serde_json::Value` handed to `thumbsmith::Options::from_value` (the core owns every default,
//! name and range), and the core's `Output` / `Metadata` / `Error` become Python objects. All
//! pixel work — and the file read of a path input — runs with the GIL released.

use std::path::{Path, PathBuf};

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyMemoryView, PyString, PyTuple};
use thumbsmith::{Error, IoErrorKind, Options};

/// The Python exception classes, defined in `thumbsmith/exceptions.py` because each needs two
/// bases (`thumbsmith.Error` and `ValueError` / `OSError`), which `create_exception!` cannot give.
mod exceptions {
    pyo3::import_exception!(thumbsmith.exceptions, UnsupportedFormatError);
    pyo3::import_exception!(thumbsmith.exceptions, CorruptInputError);
    pyo3::import_exception!(thumbsmith.exceptions, LimitExceededError);
    pyo3::import_exception!(thumbsmith.exceptions, InvalidOptionError);
    pyo3::import_exception!(thumbsmith.exceptions, EncodeError);
    pyo3::import_exception!(thumbsmith.exceptions, IoError);
    pyo3::import_exception!(thumbsmith.exceptions, NotFoundError);
    pyo3::import_exception!(thumbsmith.exceptions, PermissionDeniedError);
    pyo3::import_exception!(thumbsmith.exceptions, InternalError);
}

/// A core error as the matching `thumbsmith.*Error`, its message the core's `Display` unchanged
/// and its `.code` the core's stable code. No wildcard arm: a new core variant fails to compile
/// here until it has a class.
fn raise(py: Python<'_>, error: Error) -> PyErr {
    use exceptions::*;
    let message = error.to_string();
    let code = error.code();
    let facts = error.facts();
    let exception = match error {
        Error::UnsupportedFormat { .. } => UnsupportedFormatError::new_err(message),
        Error::CorruptInput { .. } => CorruptInputError::new_err(message),
        Error::LimitExceeded { .. } => LimitExceededError::new_err(message),
        Error::InvalidOption(_) => InvalidOptionError::new_err(message),
        Error::EncodeFailed { .. } => EncodeError::new_err(message),
        Error::Io { kind, .. } => match kind {
            IoErrorKind::NotFound => NotFoundError::new_err(message),
            IoErrorKind::PermissionDenied => PermissionDeniedError::new_err(message),
            IoErrorKind::Other => IoError::new_err(message),
        },
        Error::Internal(_) => InternalError::new_err(message),
    };
    // The core's facts as attributes (`err.option`, `err.path`). Not OSError's `filename`: set,
    // it would replace the core's message in `str(err)`.
    let value = exception.value(py);
    let set = |name: &str, fact: &serde_json::Value| -> PyResult<()> {
        value.setattr(name, pythonize::pythonize(py, fact)?)
    };
    let code = serde_json::Value::from(code);
    for (name, fact) in std::iter::once(("code", &code)).chain(facts.iter().map(|(n, f)| (*n, f))) {
        if let Err(failed) = set(name, fact) {
            return failed;
        }
    }
    exception
}

/// Keyword arguments, as given, to the core's one options type.
fn options_from(kwargs: Option<&Bound<'_, PyDict>>) -> Result<Options, Error> {
    let mut object = serde_json::Map::new();
    for (key, value) in kwargs.into_iter().flatten() {
        let key = key.to_string(); // `**kwargs` keys are always str
                                   // A value JSON cannot hold (an arbitrary object, an int beyond 64 bits): named here,
                                   // since only the core knows the options and it never sees this one.
        let value = pythonize::depythonize::<serde_json::Value>(&value)
            .map_err(|e| Error::InvalidOption(format!("`{key}`: {e}")))?;
        object.insert(key, value);
    }
    Options::from_value(serde_json::Value::Object(object))
}

/// Where the input bytes come from.
enum Source<'py> {
    /// An immutable `bytes` object: read in place, even with the GIL released. Mutable buffers
    /// and file contents are copied into one of these while the GIL is held, so another Python
    /// thread cannot change them mid-decode.
    Bytes(Bound<'py, PyBytes>),
    /// A file path: read by `thumbsmith::read_input` (size refused before reading), GIL released.
    Path(PathBuf),
}

impl<'py> Source<'py> {
    /// `bytes`, `str` / `os.PathLike` paths, any buffer (`bytearray`, `memoryview`, …), or a
    /// binary file object with `.read()` (such as werkzeug's `FileStorage`).
    fn from_python(data: &Bound<'py, PyAny>) -> PyResult<Self> {
        if data.is_instance_of::<PyString>() || data.hasattr("__fspath__")? {
            return Ok(Source::Path(data.extract()?));
        }
        if let Some(bytes) = Self::from_buffer(data)? {
            return Ok(bytes);
        }
        if data.hasattr("read")? {
            let content = data.call_method0("read")?;
            return Self::from_buffer(&content)?.ok_or_else(|| {
                PyTypeError::new_err(format!(
                    "the file's read() returned {}, not bytes: open it in binary mode ('rb')",
                    type_name(&content)
                ))
            });
        }
        Err(PyTypeError::new_err(format!(
            "expected bytes, bytearray, memoryview, a path (str or os.PathLike) or a binary file \
             object with read(), got {}",
            type_name(data)
        )))
    }

    /// `bytes` as they are; any other buffer copied into `bytes`; `None` for anything else.
    fn from_buffer(data: &Bound<'py, PyAny>) -> PyResult<Option<Self>> {
        if let Ok(bytes) = data.cast::<PyBytes>() {
            return Ok(Some(Source::Bytes(bytes.clone())));
        }
        match PyMemoryView::from(data) {
            Ok(view) => Ok(Some(Source::Bytes(
                view.call_method0("tobytes")?.cast_into()?,
            ))),
            Err(_) => Ok(None),
        }
    }
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map_or_else(|_| "an unknown type".into(), |name| name.to_string())
}

/// The one place the pipeline runs: reads a path input if there is one, then `job` on the bytes,
/// all with the GIL released so other Python threads (and a thread pool's other workers) run.
fn without_gil<T: Send>(
    py: Python<'_>,
    source: &Source<'_>,
    max_input_bytes: u64,
    job: impl FnOnce(&[u8]) -> Result<T, Error> + Send,
) -> PyResult<T> {
    enum Borrowed<'a> {
        Bytes(&'a [u8]),
        Path(&'a Path),
    }
    let borrowed = match source {
        Source::Bytes(bytes) => Borrowed::Bytes(bytes.as_bytes()),
        Source::Path(path) => Borrowed::Path(path),
    };
    py.detach(|| match borrowed {
        Borrowed::Bytes(bytes) => job(bytes),
        Borrowed::Path(path) => job(&thumbsmith::read_input(path, max_input_bytes)?),
    })
    .map_err(|error| raise(py, error))
}

/// The part of the upright source that was used.
#[pyclass(
    module = "thumbsmith",
    name = "Crop",
    frozen,
    eq,
    get_all,
    skip_from_py_object
)]
#[derive(Clone, PartialEq)]
struct Crop {
    left: u32,
    top: u32,
    width: u32,
    height: u32,
}

#[pymethods]
impl Crop {
    fn __repr__(&self) -> String {
        let Crop {
            left,
            top,
            width,
            height,
        } = self;
        format!("Crop(left={left}, top={top}, width={width}, height={height})")
    }
}

impl From<thumbsmith::Rect> for Crop {
    fn from(rect: thumbsmith::Rect) -> Self {
        let thumbsmith::Rect {
            left,
            top,
            width,
            height,
        } = rect;
        Crop {
            left,
            top,
            width,
            height,
        }
    }
}

/// What `process()` returns: the encoded image and what was done to make it.
#[pyclass(module = "thumbsmith", name = "Result", frozen, get_all)]
struct ProcessResult {
    data: Py<PyBytes>,
    format: &'static str,
    width: u32,
    height: u32,
    source_format: &'static str,
    source_width: u32,
    source_height: u32,
    orientation: u8,
    crop: Crop,
    thumbhash: Option<Py<PyBytes>>,
    dominant_color: Option<String>,
    content_hash: Option<String>,
    mime_type: &'static str,
}

impl ProcessResult {
    fn new(py: Python<'_>, output: thumbsmith::Output) -> Self {
        // Every field named, no `..`: a field added to the core's Output fails to compile here.
        let thumbsmith::Output {
            data,
            format,
            width,
            height,
            source_format,
            source_width,
            source_height,
            orientation,
            crop,
            thumbhash,
            dominant_color,
            content_hash,
        } = output;
        ProcessResult {
            data: PyBytes::new(py, &data).unbind(),
            format: format.as_str(),
            width,
            height,
            source_format: source_format.as_str(),
            source_width,
            source_height,
            orientation,
            crop: crop.into(),
            thumbhash: thumbhash.map(|hash| PyBytes::new(py, &hash).unbind()),
            dominant_color,
            content_hash,
            mime_type: format.mime_type(),
        }
    }
}

#[pymethods]
impl ProcessResult {
    fn __repr__(&self, py: Python<'_>) -> String {
        format!(
            "Result(format='{}', width={}, height={}, bytes={}, crop={}, orientation={})",
            self.format,
            self.width,
            self.height,
            self.data.bind(py).as_bytes().len(),
            self.crop.__repr__(),
            self.orientation
        )
    }
}

/// What `metadata()` returns: header facts, no pixels decoded.
#[pyclass(module = "thumbsmith", name = "Metadata", frozen, get_all)]
struct PyMetadata {
    format: &'static str,
    width: u32,
    height: u32,
    oriented_width: u32,
    oriented_height: u32,
    orientation: u8,
    has_alpha: bool,
    bit_depth: u8,
    color_model: String,
    has_icc: bool,
    has_exif: bool,
    has_gps: bool,
    frames: u32,
    progressive: bool,
}

impl From<thumbsmith::Metadata> for PyMetadata {
    fn from(metadata: thumbsmith::Metadata) -> Self {
        let thumbsmith::Metadata {
            format,
            width,
            height,
            oriented_width,
            oriented_height,
            orientation,
            has_alpha,
            bit_depth,
            color_model,
            has_icc,
            has_exif,
            has_gps,
            frames,
            progressive,
        } = metadata;
        PyMetadata {
            format: format.as_str(),
            width,
            height,
            oriented_width,
            oriented_height,
            orientation,
            has_alpha,
            bit_depth,
            color_model: serde_name(&color_model),
            has_icc,
            has_exif,
            has_gps,
            frames,
            progressive,
        }
    }
}

#[pymethods]
impl PyMetadata {
    fn __repr__(&self) -> String {
        format!(
            "Metadata(format='{}', width={}, height={}, orientation={}, oriented_width={}, \
             oriented_height={})",
            self.format,
            self.width,
            self.height,
            self.orientation,
            self.oriented_width,
            self.oriented_height
        )
    }
}

/// The name the core's serde gives an enum value (the spelling its JSON, CLI and docs use).
fn serde_name(value: &impl serde::Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        other => format!("{other:?}"),
    }
}

/// Crop and thumbnail `data`; options are the core's, as keyword arguments.
#[pyfunction]
#[pyo3(signature = (data, /, **options))]
fn process(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<ProcessResult> {
    let options = options_from(options).map_err(|error| raise(py, error))?;
    let source = Source::from_python(data)?;
    let output = without_gil(py, &source, options.max_input_bytes, |input| {
        thumbsmith::process(input, &options)
    })?;
    Ok(ProcessResult::new(py, output))
}

/// `process(data, width=width, height=height, **options).data`.
#[pyfunction]
#[pyo3(signature = (data, /, width, height = None, **options))]
fn thumbnail<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    width: &Bound<'py, PyAny>,
    height: Option<&Bound<'py, PyAny>>,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let all = match options {
        Some(options) => options.copy()?,
        None => PyDict::new(py),
    };
    all.set_item("width", width)?;
    all.set_item("height", height)?;
    let options = options_from(Some(&all)).map_err(|error| raise(py, error))?;
    let source = Source::from_python(data)?;
    let output = without_gil(py, &source, options.max_input_bytes, |input| {
        thumbsmith::process(input, &options)
    })?;
    Ok(PyBytes::new(py, &output.data))
}

/// Header facts of `data` without decoding pixels.
#[pyfunction]
#[pyo3(signature = (data, /))]
fn metadata(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<PyMetadata> {
    let source = Source::from_python(data)?;
    // A path is read under the core's default input-size limit: metadata() has no options.
    let max_input_bytes = Options::default().max_input_bytes;
    let metadata = without_gil(py, &source, max_input_bytes, thumbsmith::metadata)?;
    Ok(metadata.into())
}

/// The core's defaults, as a dict of snake_case keys (`Options::default()`, never a copy).
#[pyfunction]
fn defaults(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let value = serde_json::to_value(Options::default())
        .map_err(|e| raise(py, Error::Internal(e.to_string())))?;
    Ok(pythonize::pythonize(py, &value)?)
}

#[pymodule]
fn _thumbsmith(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(process, module)?)?;
    module.add_function(wrap_pyfunction!(thumbnail, module)?)?;
    module.add_function(wrap_pyfunction!(metadata, module)?)?;
    module.add_function(wrap_pyfunction!(defaults, module)?)?;
    module.add_class::<ProcessResult>()?;
    module.add_class::<Crop>()?;
    module.add_class::<PyMetadata>()?;
    module.add("ERROR_CODES", PyTuple::new(module.py(), Error::CODES)?)?;
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
