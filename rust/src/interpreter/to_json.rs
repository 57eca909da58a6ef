//! A handler's return value → compact JSON, as FastAPI's `JSONResponse` renders it
//! (`json.dumps(ensure_ascii=False, allow_nan=False, separators=(",", ":"))`), walking the
//! objects with the C API instead of calling `json.dumps`.

use pyo3::ffi;

use super::object::{str_as_utf8, Owned};
use crate::json;

/// Python's JSON encoder gives up at about this depth too (recursion limit).
const MAX_DEPTH: usize = 1000;

/// Why a value could not be rendered; becomes a Python-style message in the 500 log.
#[derive(Debug)]
pub enum JsonError {
    /// A Python exception is set (e.g. a string with lone surrogates).
    Python,
    Unsupported(String),
    OutOfRangeFloat,
    TooDeep,
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JsonError::Python => write!(f, "a Python error occurred while rendering the result"),
            JsonError::Unsupported(type_name) => {
                write!(f, "Object of type {type_name} is not JSON serializable")
            }
            JsonError::OutOfRangeFloat => {
                write!(f, "Out of range float values are not JSON compliant")
            }
            JsonError::TooDeep => write!(
                f,
                "maximum recursion depth exceeded while encoding a JSON object"
            ),
        }
    }
}

/// Appends the JSON text of `obj` to `out`.
///
/// # Safety
/// `obj` belongs to the current interpreter and its GIL is held.
pub unsafe fn write_value(out: &mut Vec<u8>, obj: *mut ffi::PyObject) -> Result<(), JsonError> {
    write_nested(out, obj, 0)
}

unsafe fn write_nested(
    out: &mut Vec<u8>,
    obj: *mut ffi::PyObject,
    depth: usize,
) -> Result<(), JsonError> {
    if depth > MAX_DEPTH {
        return Err(JsonError::TooDeep);
    }
    if obj == ffi::Py_None() {
        out.extend_from_slice(b"null");
    } else if obj == ffi::Py_True() {
        out.extend_from_slice(b"true");
    } else if obj == ffi::Py_False() {
        out.extend_from_slice(b"false");
    } else if ffi::PyUnicode_Check(obj) != 0 {
        json::write_str(out, str_as_utf8(obj).ok_or(JsonError::Python)?);
    } else if ffi::PyLong_Check(obj) != 0 {
        write_int(out, obj)?;
    } else if ffi::PyFloat_Check(obj) != 0 {
        write_float(out, ffi::PyFloat_AS_DOUBLE(obj))?;
    } else if ffi::PyDict_Check(obj) != 0 {
        write_dict(out, obj, depth)?;
    } else if ffi::PyList_Check(obj) != 0 {
        out.push(b'[');
        // The size is read on every step and each item is held while it is written: a
        // pydantic model's `model_dump` runs Python code, which could change the list.
        let mut index = 0;
        while index < ffi::PyList_GET_SIZE(obj) {
            if index > 0 {
                out.push(b',');
            }
            let item = Owned::from_borrowed(ffi::PyList_GET_ITEM(obj, index));
            write_nested(out, item.as_ptr(), depth + 1)?;
            index += 1;
        }
        out.push(b']');
    } else if ffi::PyTuple_Check(obj) != 0 {
        out.push(b'[');
        for index in 0..ffi::PyTuple_GET_SIZE(obj) {
            if index > 0 {
                out.push(b',');
            }
            let item = Owned::from_borrowed(ffi::PyTuple_GET_ITEM(obj, index));
            write_nested(out, item.as_ptr(), depth + 1)?;
        }
        out.push(b']');
    } else if let Some(dumped) = pydantic_dump(obj)? {
        write_nested(out, dumped.as_ptr(), depth + 1)?;
    } else {
        return Err(JsonError::Unsupported(type_name(obj)));
    }
    Ok(())
}

/// A pydantic model as FastAPI renders it: `model_dump(mode="json", by_alias=True)`.
/// `None` for any other object, pydantic dataclasses included (they have a serializer but
/// no `model_dump`). pydantic only loads in the main interpreter.
unsafe fn pydantic_dump(obj: *mut ffi::PyObject) -> Result<Option<Owned>, JsonError> {
    let class = ffi::Py_TYPE(obj).cast::<ffi::PyObject>();
    let is_model = ffi::PyObject_HasAttrString(class, c"__pydantic_serializer__".as_ptr()) == 1
        && ffi::PyObject_HasAttrString(class, c"model_dump".as_ptr()) == 1;
    if !is_model {
        return Ok(None);
    }
    let dump = Owned::from_new(ffi::PyObject_GetAttrString(obj, c"model_dump".as_ptr()))
        .ok_or(JsonError::Python)?;
    let keywords = Owned::from_new(ffi::Py_BuildValue(
        c"{s:s,s:O}".as_ptr(),
        c"mode".as_ptr(),
        c"json".as_ptr(),
        c"by_alias".as_ptr(),
        ffi::Py_True(),
    ))
    .ok_or(JsonError::Python)?;
    let empty = Owned::from_new(ffi::PyTuple_New(0)).ok_or(JsonError::Python)?;
    Owned::from_new(ffi::PyObject_Call(
        dump.as_ptr(),
        empty.as_ptr(),
        keywords.as_ptr(),
    ))
    .map(Some)
    .ok_or(JsonError::Python)
}

unsafe fn write_dict(
    out: &mut Vec<u8>,
    dict: *mut ffi::PyObject,
    depth: usize,
) -> Result<(), JsonError> {
    out.push(b'{');
    let mut position: ffi::Py_ssize_t = 0;
    let mut key: *mut ffi::PyObject = std::ptr::null_mut();
    let mut value: *mut ffi::PyObject = std::ptr::null_mut();
    let mut first = true;
    while ffi::PyDict_Next(dict, &mut position, &mut key, &mut value) != 0 {
        if !first {
            out.push(b',');
        }
        first = false;
        // Held while written: a pydantic model's `model_dump` runs Python code.
        let (key, value) = (Owned::from_borrowed(key), Owned::from_borrowed(value));
        write_key(out, key.as_ptr())?;
        out.push(b':');
        write_nested(out, value.as_ptr(), depth + 1)?;
    }
    out.push(b'}');
    Ok(())
}

/// Dict keys follow `json.dumps`: str as is; int, float, bool and None as their JSON text.
unsafe fn write_key(out: &mut Vec<u8>, key: *mut ffi::PyObject) -> Result<(), JsonError> {
    if ffi::PyUnicode_Check(key) != 0 {
        json::write_str(out, str_as_utf8(key).ok_or(JsonError::Python)?);
        return Ok(());
    }
    let mut text = Vec::new();
    if key == ffi::Py_None() || key == ffi::Py_True() || key == ffi::Py_False() {
        write_nested(&mut text, key, 0)?;
    } else if ffi::PyLong_Check(key) != 0 {
        write_int(&mut text, key)?;
    } else if ffi::PyFloat_Check(key) != 0 {
        write_float(&mut text, ffi::PyFloat_AS_DOUBLE(key))?;
    } else {
        return Err(JsonError::Unsupported(format!(
            "{} (as a dict key: keys must be str, int, float, bool or None)",
            type_name(key)
        )));
    }
    out.push(b'"');
    out.extend_from_slice(&text);
    out.push(b'"');
    Ok(())
}

unsafe fn write_int(out: &mut Vec<u8>, obj: *mut ffi::PyObject) -> Result<(), JsonError> {
    let mut overflow = 0;
    let value = ffi::PyLong_AsLongLongAndOverflow(obj, &mut overflow);
    if overflow == 0 {
        if value == -1 && !ffi::PyErr_Occurred().is_null() {
            return Err(JsonError::Python);
        }
        json::write_i64(out, value);
        return Ok(());
    }
    // Beyond 64 bits: Python's own decimal rendering, as `int.__repr__` gives json.dumps.
    let digits = Owned::from_new(ffi::PyNumber_ToBase(obj, 10)).ok_or(JsonError::Python)?;
    out.extend_from_slice(
        str_as_utf8(digits.as_ptr())
            .ok_or(JsonError::Python)?
            .as_bytes(),
    );
    Ok(())
}

fn write_float(out: &mut Vec<u8>, value: f64) -> Result<(), JsonError> {
    // `float.__repr__`'s digits and exponent style, without a call into Python.
    json::write_f64(out, value).map_err(|_| JsonError::OutOfRangeFloat)
}

unsafe fn type_name(obj: *mut ffi::PyObject) -> String {
    let name = Owned::from_new(ffi::PyType_GetName(ffi::Py_TYPE(obj)))
        .and_then(|name| str_as_utf8(name.as_ptr()).map(str::to_owned));
    if name.is_none() {
        ffi::PyErr_Clear();
    }
    name.unwrap_or_else(|| "object".into())
}
