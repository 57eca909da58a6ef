//! `int` and `float`, with `gt`/`ge`/`lt`/`le`.

use std::borrow::Cow;

use super::Input;
use crate::extract::errors::ErrorKind;
use crate::json::JsonValue;
use crate::schema::{Bound, NumberRules};
use crate::value::ArgValue;

/// pydantic refuses integer strings longer than this (Python's `int` digit limit).
const MAX_INT_DIGITS: usize = 4300;
/// 2**63: floats at or beyond this cannot become an `i64`, and pydantic refuses them.
const I64_LIMIT: f64 = 9_223_372_036_854_775_808.0;

pub fn int(input: Input<'_>, rules: &NumberRules) -> Result<ArgValue, ErrorKind> {
    let value = match input {
        Input::Json(JsonValue::Int(number)) => ArgValue::Int(*number),
        Input::Json(JsonValue::BigInt(digits)) => ArgValue::BigInt(digits.clone()),
        Input::Json(JsonValue::Bool(flag)) => ArgValue::Int(*flag as i64),
        Input::Json(JsonValue::Float(number)) => int_from_float(*number)?,
        _ => match input.as_text() {
            Some(text) => parse_int_text(text)?,
            None => return Err(ErrorKind::IntType),
        },
    };
    let (exact, as_f64) = match &value {
        ArgValue::Int(number) => (Some(*number), *number as f64),
        ArgValue::BigInt(digits) => (None, digits.parse().unwrap_or(f64::INFINITY)),
        _ => unreachable!("ints only"),
    };
    check_bounds(rules, |bound| {
        Some(match (exact, bound) {
            (Some(number), Bound::Int(limit)) => number.cmp(&limit),
            // Beyond i64 in either direction: past every integer bound (which fit an i64).
            (None, Bound::Int(_)) => as_f64.total_cmp(&0.0),
            _ => as_f64.total_cmp(&bound.as_f64()),
        })
    })?;
    Ok(value)
}

pub fn float(input: Input<'_>, rules: &NumberRules) -> Result<ArgValue, ErrorKind> {
    let value = match input {
        Input::Json(JsonValue::Int(number)) => *number as f64,
        Input::Json(JsonValue::BigInt(digits)) => match digits.parse::<f64>() {
            Ok(number) if number.is_finite() => number,
            _ => return Err(ErrorKind::FloatType),
        },
        Input::Json(JsonValue::Float(number)) => *number,
        Input::Json(JsonValue::Bool(flag)) => *flag as i64 as f64,
        _ => match input.as_text() {
            Some(text) => parse_float_text(text)?,
            None => return Err(ErrorKind::FloatType),
        },
    };
    // NaN compares as unordered, so it fails every bound, as in pydantic.
    check_bounds(rules, |bound| value.partial_cmp(&bound.as_f64()))?;
    Ok(ArgValue::Float(value))
}

/// pydantic-core's order: `le`, `lt`, `ge`, `gt`; the first failure is the only error.
/// `compare` orders the value against a bound; `None` (unordered: NaN) fails any bound.
fn check_bounds(
    rules: &NumberRules,
    compare: impl Fn(Bound) -> Option<std::cmp::Ordering>,
) -> Result<(), ErrorKind> {
    use std::cmp::Ordering::*;
    if let Some(bound) = rules.le {
        if !matches!(compare(bound), Some(Less | Equal)) {
            return Err(ErrorKind::LessThanEqual(bound));
        }
    }
    if let Some(bound) = rules.lt {
        if compare(bound) != Some(Less) {
            return Err(ErrorKind::LessThan(bound));
        }
    }
    if let Some(bound) = rules.ge {
        if !matches!(compare(bound), Some(Greater | Equal)) {
            return Err(ErrorKind::GreaterThanEqual(bound));
        }
    }
    if let Some(bound) = rules.gt {
        if compare(bound) != Some(Greater) {
            return Err(ErrorKind::GreaterThan(bound));
        }
    }
    Ok(())
}

fn int_from_float(number: f64) -> Result<ArgValue, ErrorKind> {
    if !number.is_finite() {
        return Err(ErrorKind::FiniteNumber);
    }
    if number.fract() != 0.0 {
        return Err(ErrorKind::IntFromFloat);
    }
    if number >= I64_LIMIT || number <= -I64_LIMIT {
        return Err(ErrorKind::IntParsingSize);
    }
    Ok(ArgValue::Int(number as i64))
}

/// A text longer than any integer pydantic takes, answered as pydantic does (measured
/// on 2.14): `int_parsing_size` once a leading run (after an optional `-`) has more than
/// 4300 digits, whatever follows; otherwise only `-?digits` with single underscores
/// between digits is an integer (no `+`, no surrounding spaces), else `int_parsing`.
fn long_int_text(raw: &str) -> Result<ArgValue, ErrorKind> {
    let unsigned = raw.strip_prefix('-').unwrap_or(raw);
    let bytes = unsigned.as_bytes();
    let (mut digits, mut end) = (0, 0);
    while end < bytes.len() {
        match bytes[end] {
            b'0'..=b'9' => digits += 1,
            b'_' if end > 0
                && bytes[end - 1].is_ascii_digit()
                && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) => {}
            _ => break,
        }
        end += 1;
    }
    if digits > MAX_INT_DIGITS {
        return Err(ErrorKind::IntParsingSize);
    }
    if end == bytes.len() && digits > 0 {
        if let Some(value) = parse_integer(raw) {
            return Ok(value);
        }
    }
    Err(ErrorKind::IntParsing)
}

/// A text integer with pydantic's lax rules: surrounding whitespace, a sign, leading
/// zeros, `_` between digits and a zero fraction (`7.0`) are accepted.
pub fn parse_int_text(raw: &str) -> Result<ArgValue, ErrorKind> {
    let text = raw.trim();
    if raw.len() > MAX_INT_DIGITS {
        return long_int_text(raw);
    }
    if let Some(value) = parse_integer(text) {
        return Ok(value);
    }
    // "7.0" is an integer to pydantic; "7.5" and "7." are not.
    if let Some((whole, fraction)) = text.split_once('.') {
        if !fraction.is_empty() && fraction.bytes().all(|b| b == b'0') {
            if let Some(value) = parse_integer(whole) {
                return Ok(value);
            }
        }
    }
    Err(ErrorKind::IntParsing)
}

/// Parses `[+-]digits` with Python's underscore rule (single `_` between digits).
fn parse_integer(text: &str) -> Option<ArgValue> {
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
fn strip_underscores(digits: &str) -> Option<Cow<'_, str>> {
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

/// A text float: Rust's parser accepts what Python's `float()` does here (`inf`, `nan`,
/// `.5`, `5.`, exponents), plus pydantic's `_` between digits.
fn parse_float_text(raw: &str) -> Result<f64, ErrorKind> {
    let text = raw.trim();
    if let Ok(value) = text.parse::<f64>() {
        return Ok(value);
    }
    strip_underscores(text)
        .filter(|stripped| stripped.len() != text.len())
        .and_then(|stripped| stripped.parse::<f64>().ok())
        .ok_or(ErrorKind::FloatParsing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ArgValue::*;

    fn text_int(raw: &str) -> Result<ArgValue, ErrorKind> {
        int(Input::Text(raw), &NumberRules::default())
    }

    #[test]
    fn integers_from_text() {
        let cases: [(&str, Result<ArgValue, ErrorKind>); 16] = [
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
            ("١٢", Err(ErrorKind::IntParsing)),
            (
                "99999999999999999999",
                Ok(BigInt("99999999999999999999".into())),
            ),
            ("-0", Ok(Int(0))),
        ];
        for (input, expected) in cases {
            assert_eq!(text_int(input), expected, "input {input:?}");
        }
        assert_eq!(
            text_int(&"9".repeat(MAX_INT_DIGITS + 1)),
            Err(ErrorKind::IntParsingSize)
        );
        // Long texts, as pydantic 2.14 answers them.
        let nines = "9".repeat(MAX_INT_DIGITS + 1);
        for (text, expected) in [
            (format!("a{nines}"), Err(ErrorKind::IntParsing)),
            (format!("-{nines}"), Err(ErrorKind::IntParsingSize)),
            (format!("{nines}x"), Err(ErrorKind::IntParsingSize)),
            (format!("+{nines}"), Err(ErrorKind::IntParsing)),
            (format!(" {nines}"), Err(ErrorKind::IntParsing)),
            ("1_".repeat(2200), Err(ErrorKind::IntParsing)),
            (format!("{}a", &nines[1..]), Err(ErrorKind::IntParsing)),
        ] {
            assert_eq!(text_int(&text), expected, "{}...", &text[..5]);
        }
        let underscored = format!("{}1", "1_".repeat(2200));
        assert!(matches!(text_int(&underscored), Ok(ArgValue::BigInt(_))));
    }

    #[test]
    fn integers_from_json() {
        let json = |value: JsonValue| int(Input::Json(&value), &NumberRules::default());
        assert_eq!(json(JsonValue::Bool(true)), Ok(Int(1)));
        assert_eq!(json(JsonValue::Float(1000.0)), Ok(Int(1000)));
        assert_eq!(json(JsonValue::Float(1.5)), Err(ErrorKind::IntFromFloat));
        assert_eq!(json(JsonValue::Float(1e19)), Err(ErrorKind::IntParsingSize));
        assert_eq!(
            json(JsonValue::Float(f64::NAN)),
            Err(ErrorKind::FiniteNumber)
        );
        assert_eq!(json(JsonValue::Str(" 2 ".into())), Ok(Int(2)));
        assert_eq!(json(JsonValue::Null), Err(ErrorKind::IntType));
        assert_eq!(json(JsonValue::Array(vec![])), Err(ErrorKind::IntType));
    }

    #[test]
    fn floats() {
        let rules = NumberRules::default();
        let text = |raw: &str| float(Input::Text(raw), &rules);
        assert_eq!(text(" 1.5"), Ok(Float(1.5)));
        assert_eq!(text("-1.5e3"), Ok(Float(-1500.0)));
        assert_eq!(text("inf"), Ok(Float(f64::INFINITY)));
        assert_eq!(text("1_0.5"), Ok(Float(10.5)));
        assert_eq!(text(".5"), Ok(Float(0.5)));
        assert_eq!(text("abc"), Err(ErrorKind::FloatParsing));
        let huge = JsonValue::BigInt("1".repeat(400));
        assert_eq!(float(Input::Json(&huge), &rules), Err(ErrorKind::FloatType));
        assert_eq!(
            float(Input::Json(&JsonValue::Null), &rules),
            Err(ErrorKind::FloatType)
        );
    }

    #[test]
    fn bounds_report_the_first_failure_in_pydantic_order() {
        let rules = NumberRules {
            gt: Some(Bound::Int(10)),
            lt: Some(Bound::Int(5)),
            ..NumberRules::default()
        };
        assert_eq!(
            text_bound(&rules, "7"),
            Err(ErrorKind::LessThan(Bound::Int(5)))
        );
        let rules = NumberRules {
            ge: Some(Bound::Int(1)),
            ..NumberRules::default()
        };
        assert_eq!(
            text_bound(&rules, "0"),
            Err(ErrorKind::GreaterThanEqual(Bound::Int(1)))
        );
        assert_eq!(text_bound(&rules, "1"), Ok(Int(1)));
        let float_rules = NumberRules {
            gt: Some(Bound::Float(0.0)),
            ..NumberRules::default()
        };
        assert_eq!(
            float(Input::Text("nan"), &float_rules),
            Err(ErrorKind::GreaterThan(Bound::Float(0.0)))
        );
    }

    #[test]
    fn integers_beyond_i64_are_past_every_integer_bound() {
        let at_most_max = NumberRules {
            le: Some(Bound::Int(i64::MAX)),
            ..NumberRules::default()
        };
        assert_eq!(
            text_bound(&at_most_max, "9223372036854775808"),
            Err(ErrorKind::LessThanEqual(Bound::Int(i64::MAX)))
        );
        assert!(text_bound(&at_most_max, "9223372036854775807").is_ok());
        let at_least_min = NumberRules {
            ge: Some(Bound::Int(i64::MIN)),
            ..NumberRules::default()
        };
        assert_eq!(
            text_bound(&at_least_min, "-9223372036854775809"),
            Err(ErrorKind::GreaterThanEqual(Bound::Int(i64::MIN)))
        );
    }

    fn text_bound(rules: &NumberRules, raw: &str) -> Result<ArgValue, ErrorKind> {
        int(Input::Text(raw), rules)
    }
}
