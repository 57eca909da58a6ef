//! `str` (with `min_length`, `max_length`, `pattern`) and `bytes`.

use super::Input;
use crate::extract::errors::ErrorKind;
use crate::json::JsonValue;
use crate::schema::{LengthRules, StrRules};
use crate::value::ArgValue;

pub fn string(input: Input<'_>, rules: &StrRules) -> Result<ArgValue, ErrorKind> {
    let text = input.as_text().ok_or(ErrorKind::StringType)?;
    let constrained =
        rules.min_length.is_some() || rules.max_length.is_some() || rules.pattern.is_some();
    if constrained && matches!(input, Input::Json(JsonValue::LoneSurrogates { .. })) {
        // pydantic needs the text itself to measure or match it, and a surrogate has none.
        return Err(ErrorKind::StringUnicode);
    }
    if rules.min_length.is_some() || rules.max_length.is_some() {
        // pydantic counts characters (code points), not bytes.
        let length = text.chars().count();
        if let Some(min) = rules.min_length.filter(|&min| length < min) {
            return Err(ErrorKind::StringTooShort(min));
        }
        if let Some(max) = rules.max_length.filter(|&max| length > max) {
            return Err(ErrorKind::StringTooLong(max));
        }
    }
    if let Some(pattern) = &rules.pattern {
        if !pattern.is_match(text) {
            return Err(ErrorKind::StringPatternMismatch(pattern.source.clone()));
        }
    }
    match input {
        // pydantic passes such a `str` through; the handler gets its surrogates.
        Input::Json(JsonValue::LoneSurrogates { wtf8, .. }) => {
            Ok(ArgValue::SurrogateStr(wtf8.clone()))
        }
        _ => Ok(ArgValue::Str(text.to_owned())),
    }
}

pub fn bytes(input: Input<'_>, rules: &LengthRules) -> Result<ArgValue, ErrorKind> {
    let data: &[u8] = match input {
        Input::Bytes(bytes) => bytes,
        // Python cannot encode such a `str` to bytes; its input cannot be rendered either,
        // so this answers FastAPI's 500.
        Input::Json(JsonValue::LoneSurrogates { .. }) => return Err(ErrorKind::BytesType),
        _ => input.as_text().ok_or(ErrorKind::BytesType)?.as_bytes(),
    };
    if let Some(min) = rules.min_length.filter(|&min| data.len() < min) {
        return Err(ErrorKind::BytesTooShort(min));
    }
    if let Some(max) = rules.max_length.filter(|&max| data.len() > max) {
        return Err(ErrorKind::BytesTooLong(max));
    }
    Ok(ArgValue::Bytes(data.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Pattern;

    fn rules(min: Option<usize>, max: Option<usize>, pattern: Option<&str>) -> StrRules {
        StrRules {
            min_length: min,
            max_length: max,
            pattern: pattern.map(Pattern::new),
        }
    }

    #[test]
    fn strings_follow_pydantic_constraint_order() {
        let both = rules(Some(5), None, Some("^[a-z]+$"));
        assert_eq!(
            string(Input::Text("AB"), &both),
            Err(ErrorKind::StringTooShort(5))
        );
        let pattern = rules(None, None, Some("a+"));
        assert!(
            string(Input::Text("xaax"), &pattern).is_ok(),
            "search, not full match"
        );
        assert_eq!(
            string(Input::Text("aa\n"), &rules(None, None, Some("^a+$"))),
            Err(ErrorKind::StringPatternMismatch("^a+$".into()))
        );
        assert!(string(Input::Text("日本語"), &rules(None, Some(3), None)).is_ok());
        assert_eq!(
            string(Input::Json(&JsonValue::Int(1)), &StrRules::default()),
            Err(ErrorKind::StringType)
        );
    }

    #[test]
    fn bytes_accept_text_and_raw_bodies() {
        let none = LengthRules::default();
        assert_eq!(
            bytes(Input::Text("hi"), &none),
            Ok(ArgValue::Bytes(b"hi".to_vec()))
        );
        assert_eq!(
            bytes(Input::Bytes(b"\xff"), &none),
            Ok(ArgValue::Bytes(vec![0xff]))
        );
        assert_eq!(
            bytes(Input::Json(&JsonValue::Int(5)), &none),
            Err(ErrorKind::BytesType)
        );
    }
}
