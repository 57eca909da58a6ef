//! A handler's return value → compact JSON, as FastAPI's `JSONResponse` renders it
//! (`json.dumps(ensure_ascii=False, allow_nan=False, separators=(",", ":"))`), walking the
//! objects with the C API instead of calling `json.dumps`.

use pyo3::ffi;

use super::object::{new_str, str_as_utf8, Owned};
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

impl JsonError {
    /// Sets this error as the current Python exception (a `ValueError`, as `json.dumps`
    /// or `jsonable_encoder` would raise), unless one is set already.
    ///
    /// # Safety
    /// The current thread holds an interpreter's GIL.
    pub unsafe fn set_as_python_error(&self) {
        if matches!(self, JsonError::Python) && !ffi::PyErr_Occurred().is_null() {
            return;
        }
        let message = std::ffi::CString::new(self.to_string()).unwrap_or_default();
        let class = match self {
            JsonError::TooDeep => ffi::PyExc_RecursionError,
            _ => ffi::PyExc_ValueError,
        };
        ffi::PyErr_SetString(class, message.as_ptr());
    }
}

/// Appends the JSON text of `obj` to `out`. Values other than str, int, float, bool,
/// None, dict, list and tuple (and pydantic models) are first passed to `encode`
/// (`fasterapi.encoders.encode_for_json`, FastAPI's `jsonable_encoder`).
///
/// # Safety
/// `obj` and `encode` belong to the current interpreter and its GIL is held.
pub unsafe fn write_value(
    out: &mut Vec<u8>,
    obj: *mut ffi::PyObject,
    encode: *mut ffi::PyObject,
) -> Result<(), JsonError> {
    Writer {
        out,
        encode: Some(encode),
        field_marker: None,
    }
    .write(obj, 0)
}

/// Appends the JSON text of `obj`, which must be plain data (str, int, float, bool,
/// None, dict, list, tuple), as `json.dumps` would.
///
/// # Safety
/// `obj` belongs to the current interpreter and its GIL is held.
pub unsafe fn write_plain(out: &mut Vec<u8>, obj: *mut ffi::PyObject) -> Result<(), JsonError> {
    Writer {
        out,
        encode: None,
        field_marker: None,
    }
    .write_as(obj, 0, true)
}

struct Writer<'a> {
    out: &'a mut Vec<u8>,
    encode: Option<*mut ffi::PyObject>,
    /// `dataclasses._FIELD`, looked up at the first dataclass.
    field_marker: Option<Owned>,
}

impl Writer<'_> {
    /// Writes `obj`; `encoded`: it came out of `jsonable_encoder` already, so anything
    /// not plain data left in it is an error (as `json.dumps` would raise), not encoded
    /// a second time.
    unsafe fn write(&mut self, obj: *mut ffi::PyObject, depth: usize) -> Result<(), JsonError> {
        self.write_as(obj, depth, false)
    }

    unsafe fn write_as(
        &mut self,
        obj: *mut ffi::PyObject,
        depth: usize,
        encoded: bool,
    ) -> Result<(), JsonError> {
        if depth > MAX_DEPTH {
            return Err(JsonError::TooDeep);
        }
        if obj == ffi::Py_None() {
            self.out.extend_from_slice(b"null");
        } else if obj == ffi::Py_True() {
            self.out.extend_from_slice(b"true");
        } else if obj == ffi::Py_False() {
            self.out.extend_from_slice(b"false");
        } else if ffi::PyUnicode_Check(obj) != 0 {
            json::write_str(self.out, str_as_utf8(obj).ok_or(JsonError::Python)?);
        } else if ffi::PyLong_Check(obj) != 0 {
            write_int(self.out, obj)?;
        } else if ffi::PyFloat_Check(obj) != 0 {
            write_float(self.out, ffi::PyFloat_AS_DOUBLE(obj))?;
        } else if ffi::PyDict_Check(obj) != 0 {
            if !encoded && !has_plain_keys(obj) {
                // `jsonable_encoder` encodes keys too (an Enum key becomes its value,
                // equal keys merge): let it build this dict.
                return self.write_encoded(obj, depth);
            }
            self.write_dict(obj, depth, encoded)?;
        } else if ffi::PyList_Check(obj) != 0 {
            self.out.push(b'[');
            // The size is read on every step and each item is held while it is written:
            // the encoder runs Python code, which could change the list.
            let mut index = 0;
            while index < ffi::PyList_GET_SIZE(obj) {
                if index > 0 {
                    self.out.push(b',');
                }
                let item = Owned::from_borrowed(ffi::PyList_GET_ITEM(obj, index));
                self.write_as(item.as_ptr(), depth + 1, encoded)?;
                index += 1;
            }
            self.out.push(b']');
        } else if ffi::PyTuple_Check(obj) != 0 {
            self.out.push(b'[');
            for index in 0..ffi::PyTuple_GET_SIZE(obj) {
                if index > 0 {
                    self.out.push(b',');
                }
                let item = Owned::from_borrowed(ffi::PyTuple_GET_ITEM(obj, index));
                self.write_as(item.as_ptr(), depth + 1, encoded)?;
            }
            self.out.push(b']');
        } else if encoded {
            return Err(JsonError::Unsupported(type_name(obj)));
        } else if let Some(fields) = dataclass_fields(obj)? {
            self.write_dataclass(obj, &fields, depth)?;
        } else {
            self.write_encoded(obj, depth)?;
        }
        Ok(())
    }

    /// A dataclass instance as `jsonable_encoder` renders it (`dataclasses.asdict`, then
    /// encoded): an object of its fields, in order, pseudo-fields (`ClassVar`,
    /// `InitVar`) left out; written directly, without building the dict.
    unsafe fn write_dataclass(
        &mut self,
        obj: *mut ffi::PyObject,
        fields: &Owned,
        depth: usize,
    ) -> Result<(), JsonError> {
        let marker = self.field_marker()?;
        self.out.push(b'{');
        let mut position: ffi::Py_ssize_t = 0;
        let mut name: *mut ffi::PyObject = std::ptr::null_mut();
        let mut field: *mut ffi::PyObject = std::ptr::null_mut();
        let mut first = true;
        while ffi::PyDict_Next(fields.as_ptr(), &mut position, &mut name, &mut field) != 0 {
            // Held while written: the encoder runs Python code.
            let (name, field) = (Owned::from_borrowed(name), Owned::from_borrowed(field));
            let kind = Owned::from_new(ffi::PyObject_GetAttrString(
                field.as_ptr(),
                c"_field_type".as_ptr(),
            ))
            .ok_or(JsonError::Python)?;
            if kind.as_ptr() != marker.as_ptr() || is_sqlalchemy_key(name.as_ptr()) {
                continue;
            }
            let value = Owned::from_new(ffi::PyObject_GetAttr(obj, name.as_ptr()))
                .ok_or(JsonError::Python)?;
            if !first {
                self.out.push(b',');
            }
            first = false;
            write_key(self.out, name.as_ptr())?;
            self.out.push(b':');
            self.write_as(value.as_ptr(), depth + 1, false)?;
        }
        self.out.push(b'}');
        Ok(())
    }

    /// `dataclasses._FIELD`, which marks a real field (the module is loaded: a dataclass
    /// instance exists).
    unsafe fn field_marker(&mut self) -> Result<Owned, JsonError> {
        if let Some(marker) = &self.field_marker {
            return Ok(Owned::from_borrowed(marker.as_ptr()));
        }
        let name = new_str("dataclasses").ok_or(JsonError::Python)?;
        // From `sys.modules` (a dataclass instance exists, so the module is loaded),
        // without the import machinery; imported only if someone removed it from there.
        let module = match Owned::from_new(ffi::PyImport_GetModule(name.as_ptr())) {
            Some(module) => module,
            None if ffi::PyErr_Occurred().is_null() => {
                Owned::from_new(ffi::PyImport_Import(name.as_ptr())).ok_or(JsonError::Python)?
            }
            None => return Err(JsonError::Python),
        };
        let marker = Owned::from_new(ffi::PyObject_GetAttrString(
            module.as_ptr(),
            c"_FIELD".as_ptr(),
        ))
        .ok_or(JsonError::Python)?;
        self.field_marker = Some(Owned::from_borrowed(marker.as_ptr()));
        Ok(marker)
    }

    /// `jsonable_encoder(obj)`, written as plain data.
    unsafe fn write_encoded(
        &mut self,
        obj: *mut ffi::PyObject,
        depth: usize,
    ) -> Result<(), JsonError> {
        let Some(encode) = self.encode else {
            return Err(JsonError::Unsupported(type_name(obj)));
        };
        let encoded =
            Owned::from_new(ffi::PyObject_CallOneArg(encode, obj)).ok_or(JsonError::Python)?;
        self.write_as(encoded.as_ptr(), depth + 1, true)
    }

    unsafe fn write_dict(
        &mut self,
        dict: *mut ffi::PyObject,
        depth: usize,
        encoded: bool,
    ) -> Result<(), JsonError> {
        self.out.push(b'{');
        let mut position: ffi::Py_ssize_t = 0;
        let mut key: *mut ffi::PyObject = std::ptr::null_mut();
        let mut value: *mut ffi::PyObject = std::ptr::null_mut();
        let mut first = true;
        while ffi::PyDict_Next(dict, &mut position, &mut key, &mut value) != 0 {
            // Held while written: the encoder runs Python code.
            let (key, value) = (Owned::from_borrowed(key), Owned::from_borrowed(value));
            if !encoded && is_sqlalchemy_key(key.as_ptr()) {
                continue; // `jsonable_encoder(sqlalchemy_safe=True)` drops these
            }
            if !first {
                self.out.push(b',');
            }
            first = false;
            write_key(self.out, key.as_ptr())?;
            self.out.push(b':');
            self.write_as(value.as_ptr(), depth + 1, encoded)?;
        }
        self.out.push(b'}');
        Ok(())
    }
}

/// The `__dataclass_fields__` of a dataclass instance's class; `None` for anything else
/// (a dataclass class itself included, which `jsonable_encoder` refuses).
unsafe fn dataclass_fields(obj: *mut ffi::PyObject) -> Result<Option<Owned>, JsonError> {
    let class = ffi::Py_TYPE(obj).cast::<ffi::PyObject>();
    match Owned::from_new(ffi::PyObject_GetAttrString(
        class,
        c"__dataclass_fields__".as_ptr(),
    )) {
        Some(fields) if ffi::PyDict_Check(fields.as_ptr()) != 0 => Ok(Some(fields)),
        Some(_) => Ok(None),
        None if ffi::PyErr_ExceptionMatches(ffi::PyExc_AttributeError) != 0 => {
            ffi::PyErr_Clear();
            Ok(None)
        }
        None => Err(JsonError::Python),
    }
}

/// Whether every key is a str, int, float, bool or None, which `jsonable_encoder` keeps
/// as they are (so this dict can be written directly).
unsafe fn has_plain_keys(dict: *mut ffi::PyObject) -> bool {
    let mut position: ffi::Py_ssize_t = 0;
    let mut key: *mut ffi::PyObject = std::ptr::null_mut();
    let mut value: *mut ffi::PyObject = std::ptr::null_mut();
    while ffi::PyDict_Next(dict, &mut position, &mut key, &mut value) != 0 {
        let plain = key == ffi::Py_None()
            || ffi::PyUnicode_Check(key) != 0
            || ffi::PyLong_Check(key) != 0
            || ffi::PyFloat_Check(key) != 0;
        if !plain {
            return false;
        }
    }
    true
}

/// A str key starting with `_sa` (SQLAlchemy's instance state), which FastAPI drops.
unsafe fn is_sqlalchemy_key(key: *mut ffi::PyObject) -> bool {
    if ffi::PyUnicode_Check(key) == 0 {
        return false;
    }
    // An ASCII str's UTF-8 is its own buffer: no copy. Lone surrogates cannot start
    // with `_sa`; their error is cleared here and raised again when the key is written.
    match str_as_utf8(key) {
        Some(text) => text.starts_with("_sa"),
        None => {
            ffi::PyErr_Clear();
            false
        }
    }
}

/// Dict keys follow `json.dumps`: str as is; int, float, bool and None as their JSON text.
unsafe fn write_key(out: &mut Vec<u8>, key: *mut ffi::PyObject) -> Result<(), JsonError> {
    if ffi::PyUnicode_Check(key) != 0 {
        json::write_str(out, str_as_utf8(key).ok_or(JsonError::Python)?);
        return Ok(());
    }
    let mut text = Vec::new();
    if key == ffi::Py_None() {
        text.extend_from_slice(b"null");
    } else if key == ffi::Py_True() {
        text.extend_from_slice(b"true");
    } else if key == ffi::Py_False() {
        text.extend_from_slice(b"false");
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
