//! Checking one value against its schema with pydantic's lax rules, as FastAPI applies
//! them, and producing the plain-data value a worker turns into a Python object.
//!
//! One file per kind of value (numbers, text, booleans, UUIDs, dates, enums, collections,
//! dataclasses), each over the same [`Input`]: text from the URL or headers, a value from a
//! JSON body, or a raw body. Scalar validators return one [`ErrorKind`]; the composite ones
//! (lists, dicts, dataclasses) collect errors with their nested `loc`.

mod boolean;
mod collections;
mod dataclass;
mod datetime;
mod enumeration;
mod number;
mod text;
mod uuid;

use crate::extract::errors::{ErrorInput, ErrorKind, LocItem, ValidationError};
use crate::json::JsonValue;
use crate::schema::{Schema, TypeSpec};
use crate::value::ArgValue;

pub use number::parse_int_text;

/// A value to validate, as FastAPI would hand it to pydantic.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    /// A `str` from the path, the query string, a header or a cookie.
    Text(&'a str),
    /// A list of `str` (a repeated query key or header).
    Texts(&'a [String]),
    /// What `json.loads` built from a JSON body.
    Json(&'a JsonValue),
    /// The `bytes` of a body that was not sent as JSON.
    Bytes(&'a [u8]),
}

impl<'a> Input<'a> {
    /// The input as a Python `str` would be seen by a lax validator: text, a JSON string,
    /// or UTF-8 bytes.
    pub fn as_text(&self) -> Option<&'a str> {
        match *self {
            Input::Text(text) => Some(text),
            Input::Json(JsonValue::Str(text)) => Some(text),
            Input::Json(JsonValue::LoneSurrogates { lossy, .. }) => Some(lossy),
            Input::Bytes(bytes) => std::str::from_utf8(bytes).ok(),
            _ => None,
        }
    }

    /// The input as FastAPI's 422 body shows it.
    pub fn to_error_input(self) -> ErrorInput {
        match self {
            Input::Text(text) => ErrorInput::Text(text.to_owned()),
            Input::Texts(texts) => ErrorInput::Texts(texts.to_vec()),
            Input::Json(value) => ErrorInput::Json(value.clone()),
            Input::Bytes(bytes) => ErrorInput::Bytes(bytes.to_vec()),
        }
    }
}

/// Validates values against schemas that may refer to the table's enums and dataclasses.
pub struct Validator<'a> {
    pub types: &'a [TypeSpec],
}

/// The errors of one request, with the location of the value being validated.
///
/// The location is kept as borrowed parts (the parameter's source and alias) plus the keys
/// and indexes of nested values, and is only turned into an owned `loc` when an error is
/// recorded: valid requests allocate nothing for it.
pub struct Errors<'a> {
    prefix: [&'a str; 2],
    prefix_len: usize,
    nested: Vec<LocItem>,
    pub list: Vec<ValidationError>,
}

impl<'a> Errors<'a> {
    pub fn new() -> Self {
        Errors {
            prefix: [""; 2],
            prefix_len: 0,
            nested: Vec::new(),
            list: Vec::new(),
        }
    }

    /// Starts validating the value at `prefix` (`["query", "q"]`, `["body"]`).
    pub fn at(&mut self, prefix: &[&'a str]) {
        self.prefix_len = prefix.len().min(2);
        self.prefix[..self.prefix_len].copy_from_slice(&prefix[..self.prefix_len]);
        self.nested.clear();
    }

    /// The `loc` of the value being validated.
    pub fn loc(&self) -> Vec<LocItem> {
        let prefix = self.prefix[..self.prefix_len]
            .iter()
            .map(|&part| LocItem::from(part));
        prefix.chain(self.nested.iter().cloned()).collect()
    }

    /// Records `kind` for `input` at the current location.
    pub fn push(&mut self, kind: ErrorKind, input: Input<'_>) {
        self.list.push(ValidationError {
            kind,
            loc: self.loc(),
            input: input.to_error_input(),
        });
    }

    /// Records `kind` at the current location with an input other than the value given.
    pub fn push_input(&mut self, kind: ErrorKind, input: ErrorInput) {
        self.list.push(ValidationError {
            kind,
            loc: self.loc(),
            input,
        });
    }

    /// Runs `validate` with `item` appended to the location.
    pub fn nested<T>(&mut self, item: LocItem, validate: impl FnOnce(&mut Self) -> T) -> T {
        self.nested.push(item);
        let result = validate(self);
        self.nested.pop();
        result
    }
}

impl Default for Errors<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl Validator<'_> {
    /// The validated value of `input`, or `None` with the errors recorded in `errors`.
    pub fn validate(
        &self,
        schema: &Schema,
        input: Input<'_>,
        errors: &mut Errors,
    ) -> Option<ArgValue> {
        let scalar = match schema {
            Schema::Int(rules) => number::int(input, rules),
            Schema::Float(rules) => number::float(input, rules),
            Schema::Str(rules) => text::string(input, rules),
            Schema::Bytes(rules) => text::bytes(input, rules),
            Schema::Bool => boolean::boolean(input),
            Schema::Uuid => uuid::uuid(input),
            Schema::Datetime => datetime::datetime(input),
            Schema::Date => datetime::date(input),
            Schema::Enum { type_index } => {
                let TypeSpec::Enum(spec) = &self.types[*type_index] else {
                    unreachable!("schema refers to an enum");
                };
                match enumeration::member(input, *type_index, spec) {
                    Ok(value) => Ok(value),
                    Err(enumeration::Mismatch::Kind(kind)) => Err(kind),
                    Err(enumeration::Mismatch::TooLarge(digits)) => {
                        // pydantic reports the integer it parsed, not the text it was given.
                        let parsed = ErrorInput::Json(JsonValue::BigInt(digits));
                        errors.push_input(ErrorKind::IntParsingSize, parsed);
                        return None;
                    }
                }
            }
            Schema::Any => Ok(any(input)),
            Schema::Model { type_index } => Ok(ArgValue::Model {
                type_index: *type_index,
                value: Box::new(any(input)),
            }),
            Schema::Nullable { inner } => {
                if let Input::Json(JsonValue::Null) = input {
                    return Some(ArgValue::None);
                }
                return self.validate(inner, input, errors);
            }
            Schema::List { items, length } => {
                return collections::list(self, items, length, input, errors)
            }
            Schema::Dict { values } => return collections::dict(self, values, input, errors),
            Schema::Dataclass { type_index } => {
                return dataclass::instance(self, *type_index, input, errors)
            }
        };
        match scalar {
            Ok(value) => Some(value),
            Err(kind) => {
                errors.push(kind, input);
                None
            }
        }
    }
}

/// `Any`: the value as received.
fn any(input: Input<'_>) -> ArgValue {
    match input {
        Input::Text(text) => ArgValue::Str(text.to_owned()),
        Input::Texts(texts) => ArgValue::List(texts.iter().cloned().map(ArgValue::Str).collect()),
        Input::Json(value) => json_to_arg(value),
        Input::Bytes(bytes) => ArgValue::Bytes(bytes.to_vec()),
    }
}

fn json_to_arg(value: &JsonValue) -> ArgValue {
    match value {
        JsonValue::Null => ArgValue::None,
        JsonValue::Bool(flag) => ArgValue::Bool(*flag),
        JsonValue::Int(number) => ArgValue::Int(*number),
        JsonValue::BigInt(digits) => ArgValue::BigInt(digits.clone()),
        JsonValue::Float(number) => ArgValue::Float(*number),
        JsonValue::Str(text) => ArgValue::Str(text.clone()),
        JsonValue::LoneSurrogates { wtf8, .. } => ArgValue::SurrogateStr(wtf8.clone()),
        JsonValue::Array(items) => ArgValue::List(items.iter().map(json_to_arg).collect()),
        JsonValue::Object(entries) => ArgValue::Dict(
            entries
                .iter()
                .map(|(key, item)| (key.clone(), json_to_arg(item)))
                .collect(),
        ),
    }
}
