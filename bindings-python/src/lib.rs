//! `thumbsmith._thumbsmith`, the native module behind the `thumbsmith` Python package.
//!
//! Translation only: a Python object becomes input bytes, keyword arguments become a
//! `serde_json::Value` handed to `thumbsmith::Options::from_value` (the core owns every default,
//! name and range), the core's `Output` / `Metadata` are serialised into the dataclasses
//! tools/stubgen generates from them (`thumbsmith/results.py`), and its `Error` becomes the
//! matching exception. All pixel work — and the file read of a path input — runs with the GIL
//! released.

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

/// A core result as the generated dataclass of `thumbsmith/results.py` (`Result`, `Metadata`),
/// built from the core's one serialisation of it: no field is named here.
fn result<'py>(
    py: Python<'py>,
    class: &str,
    data: Option<&[u8]>,
    value: &impl serde::Serialize,
) -> PyResult<Bound<'py, PyAny>> {
    let info = pythonize::pythonize(py, value)?;
    let class = py.import("thumbsmith.results")?.getattr(class)?;
    match data {
        Some(data) => class.call_method1("_from_core", (PyBytes::new(py, data), info)),
        None => class.call_method1("_from_core", (info,)),
    }
}

/// Crop and thumbnail `data`; options are the core's, as keyword arguments.
#[pyfunction]
#[pyo3(signature = (data, /, **options))]
fn process<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let options = options_from(options).map_err(|error| raise(py, error))?;
    let source = Source::from_python(data)?;
    let output = without_gil(py, &source, options.max_input_bytes, |input| {
        thumbsmith::process(input, &options)
    })?;
    result(py, "Result", Some(&output.data), &output)
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
fn metadata<'py>(py: Python<'py>, data: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let source = Source::from_python(data)?;
    // A path is read under the core's default input-size limit: metadata() has no options.
    let max_input_bytes = Options::default().max_input_bytes;
    let metadata = without_gil(py, &source, max_input_bytes, thumbsmith::metadata)?;
    result(py, "Metadata", None, &metadata)
}

/// The core's defaults, as a dict of snake_case keys (`Options::default()`, never a copy).
#[pyfunction]
fn defaults(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let value = thumbsmith::to_value(&Options::default(), thumbsmith::Naming::SnakeCase)
        .map_err(|error| raise(py, error))?;
    Ok(pythonize::pythonize(py, &value)?)
}

#[pymodule]
fn _thumbsmith(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(process, module)?)?;
    module.add_function(wrap_pyfunction!(thumbnail, module)?)?;
    module.add_function(wrap_pyfunction!(metadata, module)?)?;
    module.add_function(wrap_pyfunction!(defaults, module)?)?;
    module.add("ERROR_CODES", PyTuple::new(module.py(), Error::CODES)?)?;
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
