//! Validation errors and FastAPI's 422 body.
//!
//! Every error kind the validators can report is one variant of [`ErrorKind`]; its pydantic
//! `type`, message and `ctx` sit next to each other in one place each, so adding a kind is
//! a few lines here and every extractor reports it the same way.

use std::borrow::Cow;

use crate::json::{self, JsonValue, NotRenderable};
use crate::schema::Bound;

/// A kind of validation failure, named after pydantic-core's error types.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorKind {
    Missing,
    IntType,
    IntParsing,
    IntParsingSize,
    IntFromFloat,
    FiniteNumber,
    FloatType,
    FloatParsing,
    BoolType,
    BoolParsing,
    StringType,
    StringTooShort(usize),
    StringTooLong(usize),
    StringPatternMismatch(String),
    BytesType,
    BytesTooShort(usize),
    BytesTooLong(usize),
    GreaterThan(Bound),
    GreaterThanEqual(Bound),
    LessThan(Bound),
    LessThanEqual(Bound),
    UuidType,
    UuidParsing(String),
    DatetimeType,
    DatetimeParsing(String),
    DatetimeFromDateParsing(String),
    DateType,
    DateParsing(String),
    DateFromDatetimeParsing(String),
    DateFromDatetimeInexact,
    /// The allowed values, as pydantic renders them (`'a', 'b' or 'c'`).
    Enum(String),
    ListType,
    TooShort {
        min_length: usize,
        actual: usize,
    },
    TooLong {
        max_length: usize,
        actual: usize,
    },
    DictType,
    /// The dataclass's `__name__`.
    DataclassType(String),
    /// A `json.JSONDecodeError` message.
    JsonInvalid(&'static str),
    /// A dataclass's `__post_init__` raised `ValueError`: its text and its attributes as JSON.
    ValueError {
        message: String,
        attributes_json: String,
    },
    /// The same for `AssertionError`.
    AssertionError {
        message: String,
        attributes_json: String,
    },
    /// A `str` holding lone surrogates where pydantic needs its text (a length or pattern).
    StringUnicode,
}

/// A value of an error's `ctx` object.
enum CtxValue<'a> {
    Number(Bound),
    Size(usize),
    Text(&'a str),
    /// JSON rendered elsewhere (an exception's attributes, as FastAPI's encoder shows it).
    Json(&'a str),
}

fn plural(count: usize) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

/// A bound as pydantic-core prints it in a message (Rust's `Display`: `5.0` is `5`).
fn bound_text(bound: Bound) -> String {
    match bound {
        Bound::Int(value) => value.to_string(),
        Bound::Float(value) => value.to_string(),
    }
}

impl ErrorKind {
    /// pydantic's `type` for this kind.
    pub fn error_type(&self) -> &'static str {
        use ErrorKind::*;
        match self {
            Missing => "missing",
            IntType => "int_type",
            IntParsing => "int_parsing",
            IntParsingSize => "int_parsing_size",
            IntFromFloat => "int_from_float",
            FiniteNumber => "finite_number",
            FloatType => "float_type",
            FloatParsing => "float_parsing",
            BoolType => "bool_type",
            BoolParsing => "bool_parsing",
            StringType => "string_type",
            StringTooShort(_) => "string_too_short",
            StringTooLong(_) => "string_too_long",
            StringPatternMismatch(_) => "string_pattern_mismatch",
            BytesType => "bytes_type",
            BytesTooShort(_) => "bytes_too_short",
            BytesTooLong(_) => "bytes_too_long",
            GreaterThan(_) => "greater_than",
            GreaterThanEqual(_) => "greater_than_equal",
            LessThan(_) => "less_than",
            LessThanEqual(_) => "less_than_equal",
            UuidType => "uuid_type",
            UuidParsing(_) => "uuid_parsing",
            DatetimeType => "datetime_type",
            DatetimeParsing(_) => "datetime_parsing",
            DatetimeFromDateParsing(_) => "datetime_from_date_parsing",
            DateType => "date_type",
            DateParsing(_) => "date_parsing",
            DateFromDatetimeParsing(_) => "date_from_datetime_parsing",
            DateFromDatetimeInexact => "date_from_datetime_inexact",
            Enum(_) => "enum",
            ListType => "list_type",
            TooShort { .. } => "too_short",
            TooLong { .. } => "too_long",
            DictType => "dict_type",
            DataclassType(_) => "dataclass_type",
            JsonInvalid(_) => "json_invalid",
            ValueError { .. } => "value_error",
            AssertionError { .. } => "assertion_error",
            StringUnicode => "string_unicode",
        }
    }

    /// pydantic's message for this kind, exactly as FastAPI reports it.
    pub fn message(&self) -> Cow<'static, str> {
        use ErrorKind::*;
        let fixed = |text: &'static str| Cow::Borrowed(text);
        match self {
            Missing => fixed("Field required"),
            IntType => fixed("Input should be a valid integer"),
            IntParsing => {
                fixed("Input should be a valid integer, unable to parse string as an integer")
            }
            IntParsingSize => {
                fixed("Unable to parse input string as an integer, exceeded maximum size")
            }
            IntFromFloat => {
                fixed("Input should be a valid integer, got a number with a fractional part")
            }
            FiniteNumber => fixed("Input should be a finite number"),
            FloatType => fixed("Input should be a valid number"),
            FloatParsing => {
                fixed("Input should be a valid number, unable to parse string as a number")
            }
            BoolType => fixed("Input should be a valid boolean"),
            BoolParsing => fixed("Input should be a valid boolean, unable to interpret input"),
            StringType => fixed("Input should be a valid string"),
            StringTooShort(n) => {
                format!("String should have at least {n} character{}", plural(*n)).into()
            }
            StringTooLong(n) => {
                format!("String should have at most {n} character{}", plural(*n)).into()
            }
            StringPatternMismatch(pattern) => {
                format!("String should match pattern '{pattern}'").into()
            }
            BytesType => fixed("Input should be a valid bytes"),
            BytesTooShort(n) => format!("Data should have at least {n} byte{}", plural(*n)).into(),
            BytesTooLong(n) => format!("Data should have at most {n} byte{}", plural(*n)).into(),
            GreaterThan(b) => format!("Input should be greater than {}", bound_text(*b)).into(),
            GreaterThanEqual(b) => format!(
                "Input should be greater than or equal to {}",
                bound_text(*b)
            )
            .into(),
            LessThan(b) => format!("Input should be less than {}", bound_text(*b)).into(),
            LessThanEqual(b) => {
                format!("Input should be less than or equal to {}", bound_text(*b)).into()
            }
            UuidType => fixed("UUID input should be a string, bytes or UUID object"),
            UuidParsing(error) => format!("Input should be a valid UUID, {error}").into(),
            DatetimeType => fixed("Input should be a valid datetime"),
            DatetimeParsing(error) => format!("Input should be a valid datetime, {error}").into(),
            DatetimeFromDateParsing(error) => {
                format!("Input should be a valid datetime or date, {error}").into()
            }
            DateType => fixed("Input should be a valid date"),
            DateParsing(error) => {
                format!("Input should be a valid date in the format YYYY-MM-DD, {error}").into()
            }
            DateFromDatetimeParsing(error) => {
                format!("Input should be a valid date or datetime, {error}").into()
            }
            DateFromDatetimeInexact => {
                fixed("Datetimes provided to dates should have zero time - e.g. be exact dates")
            }
            Enum(expected) => format!("Input should be {expected}").into(),
            ListType => fixed("Input should be a valid list"),
            TooShort { min_length, actual } => format!(
                "List should have at least {min_length} item{} after validation, not {actual}",
                plural(*min_length)
            )
            .into(),
            TooLong { max_length, actual } => format!(
                "List should have at most {max_length} item{} after validation, not {actual}",
                plural(*max_length)
            )
            .into(),
            DictType => fixed("Input should be a valid dictionary"),
            DataclassType(name) => {
                format!("Input should be a dictionary or an instance of {name}").into()
            }
            JsonInvalid(_) => fixed("JSON decode error"),
            ValueError { message, .. } => format!("Value error, {message}").into(),
            AssertionError { message, .. } => format!("Assertion failed, {message}").into(),
            StringUnicode => fixed(
                "Input should be a valid string, unable to parse raw data as a unicode string",
            ),
        }
    }

    /// The `ctx` object's entries, in pydantic's order; empty when the kind has none.
    fn context(&self) -> Vec<(&'static str, CtxValue<'_>)> {
        use ErrorKind::*;
        match self {
            StringTooShort(n) | BytesTooShort(n) => vec![("min_length", CtxValue::Size(*n))],
            StringTooLong(n) | BytesTooLong(n) => vec![("max_length", CtxValue::Size(*n))],
            StringPatternMismatch(pattern) => vec![("pattern", CtxValue::Text(pattern))],
            GreaterThan(b) => vec![("gt", CtxValue::Number(*b))],
            GreaterThanEqual(b) => vec![("ge", CtxValue::Number(*b))],
            LessThan(b) => vec![("lt", CtxValue::Number(*b))],
            LessThanEqual(b) => vec![("le", CtxValue::Number(*b))],
            UuidParsing(error)
            | DatetimeParsing(error)
            | DatetimeFromDateParsing(error)
            | DateParsing(error)
            | DateFromDatetimeParsing(error) => vec![("error", CtxValue::Text(error))],
            Enum(expected) => vec![("expected", CtxValue::Text(expected))],
            TooShort { min_length, actual } => vec![
                ("field_type", CtxValue::Text("List")),
                ("min_length", CtxValue::Size(*min_length)),
                ("actual_length", CtxValue::Size(*actual)),
            ],
            TooLong { max_length, actual } => vec![
                ("field_type", CtxValue::Text("List")),
                ("max_length", CtxValue::Size(*max_length)),
                ("actual_length", CtxValue::Size(*actual)),
            ],
            DataclassType(name) => vec![("class_name", CtxValue::Text(name))],
            JsonInvalid(message) => vec![("error", CtxValue::Text(message))],
            ValueError {
                attributes_json, ..
            }
            | AssertionError {
                attributes_json, ..
            } => vec![("error", CtxValue::Json(attributes_json))],
            _ => Vec::new(),
        }
    }
}

/// One element of an error's `loc`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocItem {
    Key(String),
    Index(usize),
}

impl From<&str> for LocItem {
    fn from(key: &str) -> Self {
        LocItem::Key(key.to_owned())
    }
}

/// The `input` of an error, as FastAPI's `jsonable_encoder` would render it.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorInput {
    /// A text value from the URL or a header (a JSON string).
    Text(String),
    /// Several text values (a repeated query key): a JSON array of strings.
    Texts(Vec<String>),
    /// A value from a JSON body (`null` for a missing value).
    Json(JsonValue),
    /// A raw body that was not JSON, decoded as UTF-8 by FastAPI's encoder.
    Bytes(Vec<u8>),
}

/// One item of a 422 body's `detail` list.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidationError {
    pub kind: ErrorKind,
    pub loc: Vec<LocItem>,
    pub input: ErrorInput,
}

impl ValidationError {
    /// `missing` at `loc`, with FastAPI's `null` input.
    pub fn missing(loc: Vec<LocItem>) -> Self {
        ValidationError {
            kind: ErrorKind::Missing,
            loc,
            input: ErrorInput::Json(JsonValue::Null),
        }
    }
}

/// Why a 422 body cannot be rendered: FastAPI then fails the same way and answers 500
/// (`allow_nan=False` refuses NaN and the infinities; lone surrogates cannot be encoded;
/// bytes that are not UTF-8 cannot be decoded by its encoder).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unrenderable;

impl From<NotRenderable> for Unrenderable {
    fn from(_: NotRenderable) -> Self {
        Unrenderable
    }
}

/// Renders `{"detail":[...]}` exactly as FastAPI does for a `RequestValidationError`.
/// Only the error items of the 422 (a JSON array), for an app's own
/// `RequestValidationError` handler.
pub fn render_items(errors: &[ValidationError]) -> Result<String, Unrenderable> {
    let body = render_422(errors)?;
    let items = &body[br#"{"detail":"#.len()..body.len() - 1];
    Ok(String::from_utf8_lossy(items).into_owned())
}

pub fn render_422(errors: &[ValidationError]) -> Result<Vec<u8>, Unrenderable> {
    let mut out = Vec::with_capacity(160 * errors.len() + 16);
    out.extend_from_slice(b"{\"detail\":[");
    for (index, error) in errors.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"type\":");
        json::write_str(&mut out, error.kind.error_type());
        out.extend_from_slice(b",\"loc\":[");
        for (position, item) in error.loc.iter().enumerate() {
            if position > 0 {
                out.push(b',');
            }
            match item {
                LocItem::Key(key) => json::write_str(&mut out, key),
                LocItem::Index(number) => json::write_i64(&mut out, *number as i64),
            }
        }
        out.extend_from_slice(b"],\"msg\":");
        json::write_str(&mut out, &error.kind.message());
        out.extend_from_slice(b",\"input\":");
        write_input(&mut out, &error.input)?;
        let context = error.kind.context();
        if !context.is_empty() {
            out.extend_from_slice(b",\"ctx\":{");
            for (position, (key, value)) in context.iter().enumerate() {
                if position > 0 {
                    out.push(b',');
                }
                json::write_str(&mut out, key);
                out.push(b':');
                match value {
                    CtxValue::Number(Bound::Int(number)) => json::write_i64(&mut out, *number),
                    CtxValue::Number(Bound::Float(number)) => json::write_f64(&mut out, *number)?,
                    CtxValue::Size(size) => json::write_i64(&mut out, *size as i64),
                    CtxValue::Text(text) => json::write_str(&mut out, text),
                    CtxValue::Json(json) => out.extend_from_slice(json.as_bytes()),
                }
            }
            out.push(b'}');
        }
        out.push(b'}');
    }
    out.extend_from_slice(b"]}");
    Ok(out)
}

fn write_input(out: &mut Vec<u8>, input: &ErrorInput) -> Result<(), Unrenderable> {
    match input {
        ErrorInput::Text(text) => json::write_str(out, text),
        ErrorInput::Texts(texts) => {
            out.push(b'[');
            for (index, text) in texts.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                json::write_str(out, text);
            }
            out.push(b']');
        }
        ErrorInput::Json(value) => json::write_value(out, value)?,
        ErrorInput::Bytes(bytes) => {
            let text = std::str::from_utf8(bytes).map_err(|_| Unrenderable)?;
            json::write_str(out, text);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(errors: &[ValidationError]) -> String {
        String::from_utf8(render_422(errors).unwrap()).unwrap()
    }

    #[test]
    fn renders_fastapi_shape() {
        let errors = [
            ValidationError {
                kind: ErrorKind::IntParsing,
                loc: vec!["path".into(), "user_id".into()],
                input: ErrorInput::Text("abc".into()),
            },
            ValidationError::missing(vec!["query".into(), "q".into()]),
        ];
        assert_eq!(
            render(&errors),
            concat!(
                r#"{"detail":[{"type":"int_parsing","loc":["path","user_id"],"#,
                r#""msg":"Input should be a valid integer, unable to parse string as an integer","#,
                r#""input":"abc"},{"type":"missing","loc":["query","q"],"msg":"Field required","#,
                r#""input":null}]}"#
            )
        );
    }

    #[test]
    fn renders_context_and_nested_locations() {
        let errors = [ValidationError {
            kind: ErrorKind::GreaterThan(Bound::Float(5.0)),
            loc: vec![
                "body".into(),
                "items".into(),
                LocItem::Index(2),
                "price".into(),
            ],
            input: ErrorInput::Json(JsonValue::Int(5)),
        }];
        assert_eq!(
            render(&errors),
            concat!(
                r#"{"detail":[{"type":"greater_than","loc":["body","items",2,"price"],"#,
                r#""msg":"Input should be greater than 5","input":5,"ctx":{"gt":5.0}}]}"#
            )
        );
    }

    #[test]
    fn messages_pluralise_like_pydantic() {
        assert_eq!(
            ErrorKind::StringTooShort(1).message(),
            "String should have at least 1 character"
        );
        assert_eq!(
            ErrorKind::StringTooLong(3).message(),
            "String should have at most 3 characters"
        );
        assert_eq!(
            ErrorKind::TooShort {
                min_length: 2,
                actual: 1
            }
            .message(),
            "List should have at least 2 items after validation, not 1"
        );
        assert_eq!(
            ErrorKind::LessThanEqual(Bound::Float(1e-7)).message(),
            "Input should be less than or equal to 0.0000001"
        );
    }

    #[test]
    fn post_init_refusals_render_the_exception_as_an_empty_object() {
        let errors = [ValidationError {
            kind: ErrorKind::ValueError {
                message: "low must not exceed high".into(),
                attributes_json: "{}".into(),
            },
            loc: vec!["body".into()],
            input: ErrorInput::Json(JsonValue::Object(vec![])),
        }];
        assert_eq!(
            render(&errors),
            concat!(
                r#"{"detail":[{"type":"value_error","loc":["body"],"#,
                r#""msg":"Value error, low must not exceed high","input":{},"ctx":{"error":{}}}]}"#
            )
        );
    }

    #[test]
    fn non_finite_input_cannot_be_rendered() {
        let errors = [ValidationError {
            kind: ErrorKind::StringType,
            loc: vec!["body".into(), "name".into()],
            input: ErrorInput::Json(JsonValue::Float(f64::NAN)),
        }];
        assert_eq!(render_422(&errors), Err(Unrenderable));
    }
}
