//! Text → typed value conversion with pydantic's lax-mode rules, as FastAPI applies them to
//! path, query, header and cookie values.

use super::errors::ErrorKind;
use crate::route_table::ScalarKind;

/// A converted value, ready to become a Python object inside a worker.
///
/// Plain data only: a worker builds the Python object in its own interpreter.
#[derive(Debug, Clone, PartialEq)]
pub enum ArgValue {
    Bool(bool),
    Int(i64),
    /// An integer beyond `i64`, as canonical decimal digits with an optional `-`.
    BigInt(String),
    Float(f64),
    Str(String),
}

/// pydantic refuses integer strings longer than this (Python's `int` digit limit).
const MAX_INT_DIGITS: usize = 4300;

/// Converts one raw request value into `kind`.
pub fn convert(kind: ScalarKind, raw: &str) -> Result<ArgValue, ErrorKind> {
    match kind {
        ScalarKind::Str => Ok(ArgValue::Str(raw.to_owned())),
        ScalarKind::Int => parse_int(raw),
        ScalarKind::Float => parse_float(raw).map(ArgValue::Float),
        ScalarKind::Bool => parse_bool(raw).map(ArgValue::Bool),
    }
}

fn parse_int(raw: &str) -> Result<ArgValue, ErrorKind> {
    let text = raw.trim();
    if text.len() > MAX_INT_DIGITS {
        return Err(ErrorKind::IntParsingSize);
    }
    if let Some(value) = parse_integer_text(text) {
        return Ok(value);
    }
    // "7.0" is an integer to pydantic; "7.5" and "7." are not.
    if let Some((whole, fraction)) = text.split_once('.') {
        if !fraction.is_empty() && fraction.bytes().all(|b| b == b'0') {
            if let Some(value) = parse_integer_text(whole) {
                return Ok(value);
            }
        }
    }
    Err(ErrorKind::IntParsing)
}

/// Parses `[+-]digits` with Python's underscore rule (single `_` between digits).
fn parse_integer_text(text: &str) -> Option<ArgValue> {
    let (negative, digits) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let digits = strip_underscores(digits)?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let trimmed = digits.trim_start_matches('0');
    let canonical = if trimmed.is_empty() { "0" } else { trimmed };
    let signed = if negative && canonical != "0" {
        format!("-{canonical}")
    } else {
        canonical.to_owned()
    };
    Some(match signed.parse::<i64>() {
        Ok(value) => ArgValue::Int(value),
        Err(_) => ArgValue::BigInt(signed),
    })
}

/// Removes underscores that sit between two digits; `None` if any other underscore exists.
fn strip_underscores(digits: &str) -> Option<std::borrow::Cow<'_, str>> {
    if !digits.contains('_') {
        return Some(digits.into());
    }
    let bytes = digits.as_bytes();
    let valid = bytes.iter().enumerate().all(|(i, &b)| {
        b != b'_'
            || (i > 0
                && i + 1 < bytes.len()
                && bytes[i - 1].is_ascii_digit()
                && bytes[i + 1].is_ascii_digit())
    });
    valid.then(|| digits.replace('_', "").into())
}

fn parse_float(raw: &str) -> Result<f64, ErrorKind> {
    let text = raw.trim();
    if let Ok(value) = text.parse::<f64>() {
        return Ok(value);
    }
    strip_underscores(text)
        .filter(|stripped| stripped.len() != text.len())
        .and_then(|stripped| stripped.parse::<f64>().ok())
        .ok_or(ErrorKind::FloatParsing)
}

fn parse_bool(raw: &str) -> Result<bool, ErrorKind> {
    const TRUE: [&str; 6] = ["1", "t", "y", "on", "yes", "true"];
    const FALSE: [&str; 6] = ["0", "f", "n", "no", "off", "false"];
    if TRUE.iter().any(|word| raw.eq_ignore_ascii_case(word)) {
        Ok(true)
    } else if FALSE.iter().any(|word| raw.eq_ignore_ascii_case(word)) {
        Ok(false)
    } else {
        Err(ErrorKind::BoolParsing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ArgValue::*;

    #[test]
    fn integers() {
        let cases: [(&str, Result<ArgValue, ErrorKind>); 15] = [
            ("7", Ok(Int(7))),
            (" 7 ", Ok(Int(7))),
            ("+7", Ok(Int(7))),
            ("-7", Ok(Int(-7))),
            ("007", Ok(Int(7))),
            ("7.000", Ok(Int(7))),
            ("1_000", Ok(Int(1000))),
            ("7.5", Err(ErrorKind::IntParsing)),
            ("7.", Err(ErrorKind::IntParsing)),
            ("1e3", Err(ErrorKind::IntParsing)),
            ("_1", Err(ErrorKind::IntParsing)),
            ("", Err(ErrorKind::IntParsing)),
            ("0x10", Err(ErrorKind::IntParsing)),
            (
                "99999999999999999999",
                Ok(BigInt("99999999999999999999".into())),
            ),
            ("-0", Ok(Int(0))),
        ];
        for (input, expected) in cases {
            assert_eq!(convert(ScalarKind::Int, input), expected, "input {input:?}");
        }
        let huge = "9".repeat(MAX_INT_DIGITS + 1);
        assert_eq!(
            convert(ScalarKind::Int, &huge),
            Err(ErrorKind::IntParsingSize)
        );
    }

    #[test]
    fn floats() {
        assert_eq!(convert(ScalarKind::Float, " 1.5"), Ok(Float(1.5)));
        assert_eq!(convert(ScalarKind::Float, "-1.5e3"), Ok(Float(-1500.0)));
        assert_eq!(convert(ScalarKind::Float, "inf"), Ok(Float(f64::INFINITY)));
        assert_eq!(convert(ScalarKind::Float, "1_0.5"), Ok(Float(10.5)));
        assert_eq!(
            convert(ScalarKind::Float, "abc"),
            Err(ErrorKind::FloatParsing)
        );
    }

    #[test]
    fn booleans() {
        for word in ["true", "TRUE", "1", "yes", "on", "t", "y"] {
            assert_eq!(convert(ScalarKind::Bool, word), Ok(Bool(true)), "{word}");
        }
        for word in ["false", "0", "no", "off", "f", "n"] {
            assert_eq!(convert(ScalarKind::Bool, word), Ok(Bool(false)), "{word}");
        }
        for word in ["2", "", " true", "truee"] {
            assert_eq!(
                convert(ScalarKind::Bool, word),
                Err(ErrorKind::BoolParsing),
                "{word}"
            );
        }
    }
}
