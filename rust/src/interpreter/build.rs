//! Building the handler's arguments: validated plain data ([`ArgValue`]) becomes Python
//! objects of this interpreter, with raw C-API calls.
//!
//! Everything a value may need (the app's enum members and dataclass classes, `uuid.UUID`,
//! the `datetime` classes) is imported into this interpreter once, at startup, and cached
//! here; nothing is shared with another interpreter.

use std::ffi::CString;

use pyo3::ffi;

use super::lifecycle::{attribute_of, import_at, lookup_qualname};
use super::object::{new_str, str_as_utf8, Owned};
use super::pyerror;
use super::to_json;
use super::StartupError;
use crate::route_table::{Placement, RouteTable};
use crate::schema::{Schema, TypeSpec};
use crate::value::{ArgValue, DateTimeValue, PathStep, Refusal};

/// An enum's members or a dataclass and its field names, as this interpreter sees them.
enum LoadedType {
    Enum {
        members: Vec<Owned>,
    },
    Dataclass {
        class: Owned,
        field_names: Vec<Owned>,
        /// The same names as Rust text, for the `loc` of a refusal.
        field_labels: Vec<String>,
    },
    /// A pydantic model, validated by `fasterapi.models.validate`.
    Model {
        class: Owned,
        validate: Owned,
        refused: Owned,
    },
    /// Not used by the routes this interpreter serves, so not imported here (its module
    /// may not even load in a sub-interpreter).
    Absent,
}

/// Why a value could not be built.
pub enum BuildError {
    /// A Python exception is set: the request fails with a 500.
    Python,
    /// Dataclasses refused their values: the request fails with a 422.
    Refused(Vec<Refusal>),
    /// pydantic refused a model's value: a 422 with these error items (a JSON array).
    Invalid(String),
}

impl BuildError {
    /// Collects a nested failure found at `step`; a Python failure ends the build at once.
    fn nest(self, step: PathStep, refused: &mut Vec<Refusal>) -> Result<(), BuildError> {
        match self {
            BuildError::Python | BuildError::Invalid(_) => Err(BuildError::Python),
            BuildError::Refused(nested) => {
                // Paths grow outward as the error bubbles up; they are reversed once, at the
                // parameter (`Refusal::path` is innermost-first until then).
                for mut refusal in nested {
                    refusal.path.push(step.clone());
                    refused.push(refusal);
                }
                Ok(())
            }
        }
    }

    fn finish(built: Owned, refused: Vec<Refusal>) -> Result<Owned, BuildError> {
        if refused.is_empty() {
            Ok(built)
        } else {
            Err(BuildError::Refused(refused))
        }
    }
}

fn python(built: Option<Owned>) -> Result<Owned, BuildError> {
    built.ok_or(BuildError::Python)
}

/// After a dataclass call failed: `ValueError` and `AssertionError` (and subclasses) are
/// refusals, as in pydantic; anything else stays the raised exception.
///
/// # Safety
/// The current thread holds an interpreter's GIL and an exception is set.
unsafe fn refusal_from_exception() -> BuildError {
    let assertion = ffi::PyErr_ExceptionMatches(ffi::PyExc_AssertionError) != 0;
    if !assertion && ffi::PyErr_ExceptionMatches(ffi::PyExc_ValueError) == 0 {
        return BuildError::Python;
    }
    let Some(exception) = Owned::from_new(ffi::PyErr_GetRaisedException()) else {
        return BuildError::Python;
    };
    // FastAPI renders the message and `vars(exc)`; where it cannot (a lone surrogate, an
    // attribute JSON cannot hold) it answers 500, so the exception is raised again.
    let rendered = exception_text(&exception).zip(exception_attributes(&exception));
    let Some((message, attributes_json)) = rendered else {
        ffi::PyErr_Clear();
        ffi::PyErr_SetRaisedException(exception.into_ptr());
        return BuildError::Python;
    };
    BuildError::Refused(vec![Refusal {
        path: Vec::new(),
        assertion,
        message,
        attributes_json,
    }])
}

/// `str(exc)` as UTF-8; `None` (with an exception set) if it cannot be.
unsafe fn exception_text(exception: &Owned) -> Option<String> {
    let text = Owned::from_new(ffi::PyObject_Str(exception.as_ptr()))?;
    str_as_utf8(text.as_ptr()).map(str::to_owned)
}

/// `vars(exc)` as JSON (`{}` when it has no attributes); `None` if it cannot be rendered.
unsafe fn exception_attributes(exception: &Owned) -> Option<String> {
    let attributes = Owned::from_new(ffi::PyObject_GetAttrString(
        exception.as_ptr(),
        c"__dict__".as_ptr(),
    ))?;
    let mut json = Vec::new();
    to_json::write_plain(&mut json, attributes.as_ptr()).ok()?;
    String::from_utf8(json).ok()
}

/// The standard-library classes values may need; imported only if some schema uses them.
struct Stdlib {
    uuid: Option<Owned>,
    datetime: Option<DatetimeClasses>,
}

struct DatetimeClasses {
    datetime: Owned,
    date: Owned,
    timezone: Owned,
    timedelta: Owned,
    utc: Owned,
}

/// Turns [`ArgValue`]s into objects of one interpreter.
pub struct ValueBuilder {
    types: Vec<LoadedType>,
    stdlib: Stdlib,
}

impl ValueBuilder {
    /// Imports what `table`'s schemas refer to, of the types marked in `used`.
    ///
    /// # Safety
    /// The current thread holds the GIL of the interpreter the builder will serve.
    pub unsafe fn load(
        table: &RouteTable,
        used: &[bool],
        placement: Placement,
    ) -> Result<ValueBuilder, StartupError> {
        let mut types = Vec::with_capacity(table.types.len());
        for (spec, &used) in table.types.iter().zip(used) {
            types.push(if used {
                load_type(spec, placement)?
            } else {
                LoadedType::Absent
            });
        }
        let uses = |wanted: fn(&Schema) -> bool| table_uses(table, wanted);
        let stdlib = Stdlib {
            uuid: if uses(|schema| matches!(schema, Schema::Uuid)) {
                Some(attribute_of("uuid", "UUID")?)
            } else {
                None
            },
            datetime: if uses(|schema| matches!(schema, Schema::Datetime | Schema::Date)) {
                let timezone = attribute_of("datetime", "timezone")?;
                let utc = Owned::from_new(ffi::PyObject_GetAttrString(
                    timezone.as_ptr(),
                    c"utc".as_ptr(),
                ))
                .ok_or_else(|| startup_failure("datetime.timezone.utc"))?;
                Some(DatetimeClasses {
                    datetime: attribute_of("datetime", "datetime")?,
                    date: attribute_of("datetime", "date")?,
                    timedelta: attribute_of("datetime", "timedelta")?,
                    timezone,
                    utc,
                })
            } else {
                None
            },
        };
        Ok(ValueBuilder { types, stdlib })
    }

    /// The Python object for `value`.
    ///
    /// A dataclass whose `__post_init__` raises `ValueError` or `AssertionError` is a
    /// [`Refusal`] (pydantic reports those as validation errors); every refusal in the value
    /// is collected, as pydantic would. Any other failure leaves a Python exception set.
    ///
    /// # Safety
    /// The current thread holds this builder's interpreter's GIL.
    pub unsafe fn build(&self, value: &ArgValue) -> Result<Owned, BuildError> {
        match value {
            ArgValue::List(items) => {
                // Items first: a list with empty slots must never be visible to Python code
                // (an item's `__post_init__` could find it through the garbage collector).
                let mut built = Vec::with_capacity(items.len());
                let mut refused = Vec::new();
                for (index, item) in items.iter().enumerate() {
                    match self.build(item) {
                        Ok(item) => built.push(item),
                        Err(error) => error.nest(PathStep::Index(index), &mut refused)?,
                    }
                }
                if !refused.is_empty() {
                    return Err(BuildError::Refused(refused));
                }
                let list = python(Owned::from_new(ffi::PyList_New(
                    built.len() as ffi::Py_ssize_t
                )))?;
                for (index, item) in built.into_iter().enumerate() {
                    // PyList_SET_ITEM steals the reference.
                    ffi::PyList_SET_ITEM(list.as_ptr(), index as ffi::Py_ssize_t, item.into_ptr());
                }
                Ok(list)
            }
            ArgValue::Dict(entries) => {
                let dict = python(Owned::from_new(ffi::PyDict_New()))?;
                let mut refused = Vec::new();
                for (key, item) in entries {
                    match self.build(item) {
                        Ok(item) => {
                            let key = python(new_str(key))?;
                            if ffi::PyDict_SetItem(dict.as_ptr(), key.as_ptr(), item.as_ptr()) != 0
                            {
                                return Err(BuildError::Python);
                            }
                        }
                        Err(error) => error.nest(PathStep::Key(key.clone()), &mut refused)?,
                    }
                }
                BuildError::finish(dict, refused)
            }
            ArgValue::Dataclass { type_index, fields } => self.dataclass(*type_index, fields),
            scalar => python(self.build_scalar(scalar)),
        }
    }

    /// Builds the fields, then the instance: a `__post_init__` runs only on valid fields.
    /// A pydantic model built from `value` by pydantic; its 422 items name `key` (the
    /// parameter's key in the body object) when the body is embedded.
    ///
    /// # Safety
    /// The current thread holds this builder's interpreter's GIL.
    pub unsafe fn model(
        &self,
        type_index: usize,
        value: &ArgValue,
        key: Option<&Owned>,
    ) -> Result<Owned, BuildError> {
        let LoadedType::Model {
            class,
            validate,
            refused,
        } = &self.types[type_index]
        else {
            return python(internal_error(c"a type index is not a pydantic model"));
        };
        let value = self.build(value)?;
        let key = key.map_or(ffi::Py_None(), Owned::as_ptr);
        let args = [class.as_ptr(), value.as_ptr(), key];
        if let Some(model) = Owned::from_new(ffi::PyObject_Vectorcall(
            validate.as_ptr(),
            args.as_ptr(),
            3,
            std::ptr::null_mut(),
        )) {
            return Ok(model);
        }
        if ffi::PyErr_ExceptionMatches(refused.as_ptr()) == 0 {
            return Err(BuildError::Python);
        }
        let exception = python(Owned::from_new(ffi::PyErr_GetRaisedException()))?;
        let items = python(Owned::from_new(ffi::PyObject_GetAttrString(
            exception.as_ptr(),
            c"items_json".as_ptr(),
        )))?;
        let items = str_as_utf8(items.as_ptr()).ok_or(BuildError::Python)?;
        Err(BuildError::Invalid(items.to_owned()))
    }

    unsafe fn dataclass(
        &self,
        type_index: usize,
        fields: &[(usize, ArgValue)],
    ) -> Result<Owned, BuildError> {
        let LoadedType::Dataclass {
            class,
            field_names,
            field_labels,
        } = &self.types[type_index]
        else {
            return python(internal_error(c"a type index is not a dataclass"));
        };
        let mut values = Vec::with_capacity(fields.len());
        let mut names = Vec::with_capacity(fields.len());
        let mut refused = Vec::new();
        for (field, item) in fields {
            match self.build(item) {
                Ok(value) => values.push(value),
                Err(error) => {
                    error.nest(PathStep::Key(field_labels[*field].clone()), &mut refused)?
                }
            }
            names.push(Owned::from_borrowed(field_names[*field].as_ptr()));
        }
        if !refused.is_empty() {
            return Err(BuildError::Refused(refused));
        }
        match call(class, &values, Some(names)) {
            Some(instance) => Ok(instance),
            None => Err(refusal_from_exception()),
        }
    }

    /// The Python object for a value that holds no dataclass; `None` with a Python
    /// exception set on failure.
    unsafe fn build_scalar(&self, value: &ArgValue) -> Option<Owned> {
        match value {
            ArgValue::None => Some(Owned::from_borrowed(ffi::Py_None())),
            ArgValue::Bool(true) => Some(Owned::from_borrowed(ffi::Py_True())),
            ArgValue::Bool(false) => Some(Owned::from_borrowed(ffi::Py_False())),
            ArgValue::Int(number) => Owned::from_new(ffi::PyLong_FromLongLong(*number)),
            ArgValue::BigInt(digits) => {
                let Ok(digits) = CString::new(digits.as_str()) else {
                    return internal_error(c"an integer's digits hold a NUL byte");
                };
                Owned::from_new(ffi::PyLong_FromString(
                    digits.as_ptr(),
                    std::ptr::null_mut(),
                    10,
                ))
            }
            ArgValue::Float(number) => Owned::from_new(ffi::PyFloat_FromDouble(*number)),
            ArgValue::Str(text) => new_str(text),
            ArgValue::SurrogateStr(wtf8) => Owned::from_new(ffi::PyUnicode_DecodeUTF8(
                wtf8.as_ptr().cast(),
                wtf8.len() as ffi::Py_ssize_t,
                c"surrogatepass".as_ptr(),
            )),
            ArgValue::Bytes(data) => Owned::from_new(ffi::PyBytes_FromStringAndSize(
                data.as_ptr().cast(),
                data.len() as ffi::Py_ssize_t,
            )),
            ArgValue::Uuid(number) => {
                let Some(class) = self.stdlib.uuid.as_ref() else {
                    return internal_error(c"uuid.UUID was not loaded in this interpreter");
                };
                call(class, &[new_str(&format!("{number:032x}"))?], None)
            }
            ArgValue::Date(date) => {
                let Some(classes) = self.stdlib.datetime.as_ref() else {
                    return internal_error(c"datetime was not loaded in this interpreter");
                };
                let args = [
                    long(date.year as i64)?,
                    long(date.month as i64)?,
                    long(date.day as i64)?,
                ];
                call(&classes.date, &args, None)
            }
            ArgValue::DateTime(datetime) => self.datetime(datetime),
            ArgValue::EnumMember { type_index, member } => match &self.types[*type_index] {
                LoadedType::Enum { members } => match members.get(*member) {
                    Some(found) => Some(Owned::from_borrowed(found.as_ptr())),
                    None => internal_error(c"an enum member index is out of range"),
                },
                _ => internal_error(c"a type index is not an enum"),
            },
            ArgValue::List(_) | ArgValue::Dict(_) | ArgValue::Dataclass { .. } => {
                internal_error(c"a container outside ValueBuilder::build")
            }
            // Resolved by the caller, which holds the handler's defaults and body keys.
            ArgValue::MarkerDefault => internal_error(c"a marker default outside a parameter"),
            ArgValue::Model { .. } => internal_error(c"a pydantic model inside another value"),
        }
    }

    unsafe fn datetime(&self, value: &DateTimeValue) -> Option<Owned> {
        let Some(classes) = self.stdlib.datetime.as_ref() else {
            return internal_error(c"datetime was not loaded in this interpreter");
        };
        let tzinfo = match value.utc_offset {
            None => Owned::from_borrowed(ffi::Py_None()),
            Some(0) => Owned::from_borrowed(classes.utc.as_ptr()),
            Some(seconds) => {
                let delta = call(&classes.timedelta, &[long(0)?, long(seconds as i64)?], None)?;
                call(&classes.timezone, &[delta], None)?
            }
        };
        let args = [
            long(value.date.year as i64)?,
            long(value.date.month as i64)?,
            long(value.date.day as i64)?,
            long(value.hour as i64)?,
            long(value.minute as i64)?,
            long(value.second as i64)?,
            long(value.microsecond as i64)?,
            tzinfo,
        ];
        call(&classes.datetime, &args, None)
    }
}

/// Fails a build with `SystemError(message)`: a state the startup checks rule out, reported
/// (as a 500 with the reason logged) rather than assumed away.
///
/// # Safety
/// The current thread holds an interpreter's GIL.
pub(super) unsafe fn internal_error<T>(message: &std::ffi::CStr) -> Option<T> {
    ffi::PyErr_SetString(ffi::PyExc_SystemError, message.as_ptr());
    None
}

unsafe fn long(value: i64) -> Option<Owned> {
    Owned::from_new(ffi::PyLong_FromLongLong(value))
}

/// `callable(*args, **dict(zip(keywords, trailing args)))` through vectorcall.
unsafe fn call(callable: &Owned, args: &[Owned], keywords: Option<Vec<Owned>>) -> Option<Owned> {
    let pointers: Vec<*mut ffi::PyObject> = args.iter().map(Owned::as_ptr).collect();
    let (positional, names) = match keywords {
        Some(names) => {
            let tuple = Owned::from_new(ffi::PyTuple_New(names.len() as ffi::Py_ssize_t))?;
            let count = names.len();
            for (slot, name) in names.into_iter().enumerate() {
                ffi::PyTuple_SET_ITEM(tuple.as_ptr(), slot as ffi::Py_ssize_t, name.into_ptr());
            }
            (args.len() - count, Some(tuple))
        }
        None => (args.len(), None),
    };
    Owned::from_new(ffi::PyObject_Vectorcall(
        callable.as_ptr(),
        pointers.as_ptr(),
        positional,
        names.as_ref().map_or(std::ptr::null_mut(), Owned::as_ptr),
    ))
}

fn startup_failure(what: &str) -> StartupError {
    // SAFETY: only called from `load`, whose caller holds the GIL.
    let error = unsafe { pyerror::take_current() };
    StartupError {
        message: format!("cannot load {what} in a sub-interpreter: {}", error.summary),
    }
}

unsafe fn load_type(spec: &TypeSpec, placement: Placement) -> Result<LoadedType, StartupError> {
    let module_name = spec.module_at(placement);
    let module = import_at(module_name, placement)?;
    let class = lookup_qualname(&module, module_name, spec.qualname())?;
    let name = format!("{module_name}.{}", spec.qualname());
    match spec {
        TypeSpec::Enum(enum_spec) => {
            let list = Owned::from_new(ffi::PySequence_List(class.as_ptr()))
                .ok_or_else(|| startup_failure(&name))?;
            let count = ffi::PyList_Size(list.as_ptr());
            if count != enum_spec.values.len() as ffi::Py_ssize_t {
                return Err(StartupError {
                    message: format!(
                        "enum {name} has {count} members in a sub-interpreter but {} in the main one",
                        enum_spec.values.len()
                    ),
                });
            }
            let members = (0..count)
                .map(|index| Owned::from_borrowed(ffi::PyList_GetItem(list.as_ptr(), index)))
                .collect();
            Ok(LoadedType::Enum { members })
        }
        TypeSpec::Dataclass(dataclass) => {
            let field_names = dataclass
                .fields
                .iter()
                .map(|field| new_str(&field.name))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| startup_failure(&name))?;
            let field_labels = dataclass
                .fields
                .iter()
                .map(|field| field.name.clone())
                .collect();
            Ok(LoadedType::Dataclass {
                class,
                field_names,
                field_labels,
            })
        }
        TypeSpec::Model(_) => Ok(LoadedType::Model {
            class,
            validate: attribute_of("fasterapi.models", "validate")?,
            refused: attribute_of("fasterapi.models", "ModelRefused")?,
        }),
    }
}

/// Whether any schema of `table` (parameters and dataclass fields) satisfies `wanted`.
fn table_uses(table: &RouteTable, wanted: fn(&Schema) -> bool) -> bool {
    fn walk(schema: &Schema, wanted: fn(&Schema) -> bool) -> bool {
        wanted(schema)
            || match schema {
                Schema::List { items, .. } => walk(items, wanted),
                Schema::Dict { values } => walk(values, wanted),
                Schema::Nullable { inner } => walk(inner, wanted),
                _ => false,
            }
    }
    let in_params = table
        .routes
        .iter()
        .flat_map(|route| &route.params)
        .any(|param| walk(&param.schema, wanted));
    let in_fields = table.types.iter().any(|spec| match spec {
        TypeSpec::Dataclass(dataclass) => dataclass
            .fields
            .iter()
            .any(|field| walk(&field.schema, wanted)),
        TypeSpec::Enum(_) | TypeSpec::Model(_) => false,
    });
    in_params || in_fields
}
