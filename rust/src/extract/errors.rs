//! Validation errors and FastAPI's 422 body.
//!
//! Every error kind the extractors can report is one variant of [`ErrorKind`], and its
//! pydantic `type` and message sit next to each other in one `match`: adding a kind is one
//! line here, and every extractor reports it the same way.

use crate::json;
use crate::route_table::ParamSource;

/// A kind of validation failure, named after pydantic-core's error types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Missing,
    IntParsing,
    IntParsingSize,
    FloatParsing,
    BoolParsing,
}

impl ErrorKind {
    /// pydantic's `type` and `msg` for this kind, exactly as FastAPI reports them.
    pub fn type_and_message(self) -> (&'static str, &'static str) {
        match self {
            ErrorKind::Missing => ("missing", "Field required"),
            ErrorKind::IntParsing => (
                "int_parsing",
                "Input should be a valid integer, unable to parse string as an integer",
            ),
            ErrorKind::IntParsingSize => (
                "int_parsing_size",
                "Unable to parse input string as an integer, exceeded maximum size",
            ),
            ErrorKind::FloatParsing => (
                "float_parsing",
                "Input should be a valid number, unable to parse string as a number",
            ),
            ErrorKind::BoolParsing => (
                "bool_parsing",
                "Input should be a valid boolean, unable to interpret input",
            ),
        }
    }
}

/// One item of a 422 body's `detail` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    pub kind: ErrorKind,
    pub source: ParamSource,
    pub name: String,
    /// The raw value from the request; `None` where it was missing (rendered as `null`).
    pub input: Option<String>,
}

/// Renders `{"detail":[...]}` exactly as FastAPI does for a `RequestValidationError`.
pub fn render_422(errors: &[ValidationError]) -> Vec<u8> {
    let mut out = Vec::with_capacity(128 * errors.len() + 16);
    out.extend_from_slice(b"{\"detail\":[");
    for (index, error) in errors.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        let (error_type, message) = error.kind.type_and_message();
        out.extend_from_slice(b"{\"type\":");
        json::write_str(&mut out, error_type);
        out.extend_from_slice(b",\"loc\":[");
        json::write_str(&mut out, error.source.as_str());
        out.push(b',');
        json::write_str(&mut out, &error.name);
        out.extend_from_slice(b"],\"msg\":");
        json::write_str(&mut out, message);
        out.extend_from_slice(b",\"input\":");
        match &error.input {
            Some(input) => json::write_str(&mut out, input),
            None => out.extend_from_slice(b"null"),
        }
        out.push(b'}');
    }
    out.extend_from_slice(b"]}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_fastapi_shape() {
        let errors = [
            ValidationError {
                kind: ErrorKind::IntParsing,
                source: ParamSource::Path,
                name: "user_id".into(),
                input: Some("abc".into()),
            },
            ValidationError {
                kind: ErrorKind::Missing,
                source: ParamSource::Query,
                name: "q".into(),
                input: None,
            },
        ];
        let body = String::from_utf8(render_422(&errors)).unwrap();
        assert_eq!(
            body,
            concat!(
                r#"{"detail":[{"type":"int_parsing","loc":["path","user_id"],"#,
                r#""msg":"Input should be a valid integer, unable to parse string as an integer","#,
                r#""input":"abc"},{"type":"missing","loc":["query","q"],"msg":"Field required","#,
                r#""input":null}]}"#
            )
        );
    }
}
