//! `Enum` subclasses with str or int values: the input must equal a member's value.
//! Plain enums compare values as given; `IntEnum` (an `int` subclass) parses text first.

use super::{number, Input};
use crate::extract::errors::ErrorKind;
use crate::json::JsonValue;
use crate::schema::{EnumSpec, EnumValue};
use crate::value::ArgValue;

/// Why no member matched.
#[derive(Debug, PartialEq)]
pub enum Mismatch {
    Kind(ErrorKind),
    /// An `IntEnum` given text for an integer beyond i64: pydantic's `int_parsing_size`,
    /// reported with the parsed integer (these digits) as input.
    TooLarge(String),
}

pub fn member(input: Input<'_>, type_index: usize, spec: &EnumSpec) -> Result<ArgValue, Mismatch> {
    let wrong = || Mismatch::Kind(ErrorKind::Enum(spec.expected.clone()));
    let find = |wanted: &EnumValue| spec.values.iter().position(|value| value == wanted);
    let as_int = |number: i64| find(&EnumValue::Int(number));
    let position = match input {
        Input::Json(JsonValue::Int(number)) => as_int(*number),
        Input::Json(JsonValue::Bool(flag)) => as_int(*flag as i64),
        Input::Json(JsonValue::Float(number)) if number.fract() == 0.0 && number.abs() < 9.2e18 => {
            as_int(*number as i64)
        }
        Input::Json(JsonValue::BigInt(_)) if has_int_values(spec) => {
            return Err(Mismatch::Kind(ErrorKind::IntParsingSize))
        }
        // Text and JSON strings only: pydantic refuses a raw (non-JSON) body for an enum.
        Input::Text(_) | Input::Json(JsonValue::Str(_)) => {
            let text = input.as_text().unwrap_or_default();
            match find(&EnumValue::Str(text.to_owned())) {
                Some(found) => Some(found),
                None if !spec.int_subclass => None,
                None => match number::parse_int_text(text) {
                    Ok(ArgValue::Int(number)) => as_int(number),
                    Ok(ArgValue::BigInt(digits)) => return Err(Mismatch::TooLarge(digits)),
                    _ => None,
                },
            }
        }
        _ => None,
    };
    position
        .map(|member| ArgValue::EnumMember { type_index, member })
        .ok_or_else(wrong)
}

fn has_int_values(spec: &EnumSpec) -> bool {
    spec.values
        .iter()
        .any(|value| matches!(value, EnumValue::Int(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(values: Vec<EnumValue>, int_subclass: bool) -> EnumSpec {
        EnumSpec {
            module: "m".into(),
            main_module: None,
            qualname: "E".into(),
            values,
            int_subclass,
            expected: "x".into(),
        }
    }

    #[test]
    fn matches_values_like_pydantic() {
        let colors = spec(
            vec![EnumValue::Str("red".into()), EnumValue::Str("green".into())],
            false,
        );
        assert_eq!(
            member(Input::Text("green"), 0, &colors),
            Ok(ArgValue::EnumMember {
                type_index: 0,
                member: 1
            })
        );
        assert_eq!(
            member(Input::Text("RED"), 0, &colors),
            Err(Mismatch::Kind(ErrorKind::Enum("x".into())))
        );
        let levels = spec(vec![EnumValue::Int(1), EnumValue::Int(2)], false);
        assert!(
            member(Input::Text("1"), 0, &levels).is_err(),
            "plain int enums take no text"
        );
        assert!(member(Input::Json(&JsonValue::Float(2.0)), 0, &levels).is_ok());
        assert!(member(Input::Json(&JsonValue::Bool(true)), 0, &levels).is_ok());
        let int_levels = spec(vec![EnumValue::Int(1), EnumValue::Int(2)], true);
        assert_eq!(
            member(Input::Text("99999999999999999999"), 0, &int_levels),
            Err(Mismatch::TooLarge("99999999999999999999".into()))
        );
        assert_eq!(
            member(Input::Text(" 2 "), 3, &int_levels),
            Ok(ArgValue::EnumMember {
                type_index: 3,
                member: 1
            })
        );
    }
}
