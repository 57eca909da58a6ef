//! `bool`: pydantic's words (any case, no surrounding whitespace), 0 and 1.

use super::Input;
use crate::extract::errors::ErrorKind;
use crate::json::JsonValue;
use crate::value::ArgValue;

const TRUE: [&str; 6] = ["1", "t", "y", "on", "yes", "true"];
const FALSE: [&str; 6] = ["0", "f", "n", "no", "off", "false"];

pub fn boolean(input: Input<'_>) -> Result<ArgValue, ErrorKind> {
    let flag = match input {
        Input::Json(JsonValue::Bool(flag)) => *flag,
        Input::Json(JsonValue::Int(number)) => from_int(*number)?,
        Input::Json(JsonValue::Float(number)) if number.fract() == 0.0 && number.abs() < 9.2e18 => {
            from_int(*number as i64)?
        }
        _ => match input.as_text() {
            Some(text) if TRUE.iter().any(|word| text.eq_ignore_ascii_case(word)) => true,
            Some(text) if FALSE.iter().any(|word| text.eq_ignore_ascii_case(word)) => false,
            Some(_) => return Err(ErrorKind::BoolParsing),
            None => return Err(ErrorKind::BoolType),
        },
    };
    Ok(ArgValue::Bool(flag))
}

fn from_int(number: i64) -> Result<bool, ErrorKind> {
    match number {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(ErrorKind::BoolParsing),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_numbers() {
        for word in ["true", "TRUE", "1", "yes", "on", "t", "y"] {
            assert_eq!(
                boolean(Input::Text(word)),
                Ok(ArgValue::Bool(true)),
                "{word}"
            );
        }
        for word in ["false", "0", "no", "off", "f", "n"] {
            assert_eq!(
                boolean(Input::Text(word)),
                Ok(ArgValue::Bool(false)),
                "{word}"
            );
        }
        for word in ["2", "", " true", "truee", "1.0"] {
            assert_eq!(
                boolean(Input::Text(word)),
                Err(ErrorKind::BoolParsing),
                "{word}"
            );
        }
        let json = |value: JsonValue| boolean(Input::Json(&value));
        assert_eq!(json(JsonValue::Float(1.0)), Ok(ArgValue::Bool(true)));
        assert_eq!(json(JsonValue::Float(2.0)), Err(ErrorKind::BoolParsing));
        assert_eq!(json(JsonValue::Float(1.5)), Err(ErrorKind::BoolType));
        assert_eq!(json(JsonValue::Int(-1)), Err(ErrorKind::BoolParsing));
        assert_eq!(
            json(JsonValue::BigInt("1".repeat(30))),
            Err(ErrorKind::BoolType)
        );
        assert_eq!(json(JsonValue::Null), Err(ErrorKind::BoolType));
    }
}
