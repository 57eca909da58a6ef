//! `uuid.UUID`, parsed by the `uuid` crate as pydantic-core does (same error texts).

use super::Input;
use crate::extract::errors::ErrorKind;
use crate::value::ArgValue;

pub fn uuid(input: Input<'_>) -> Result<ArgValue, ErrorKind> {
    let parsed = match input {
        Input::Bytes(bytes) if bytes.len() == 16 => ::uuid::Uuid::from_slice(bytes),
        Input::Bytes(bytes) => {
            ::uuid::Uuid::try_parse_ascii(bytes).or_else(|_| ::uuid::Uuid::from_slice(bytes))
        }
        _ => match input.as_text() {
            Some(text) => ::uuid::Uuid::parse_str(text),
            None => return Err(ErrorKind::UuidType),
        },
    };
    parsed
        .map(|uuid| ArgValue::Uuid(uuid.as_u128()))
        .map_err(|error| ErrorKind::UuidParsing(error.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_pydantic_accepts() {
        let expected = Ok(ArgValue::Uuid(0x12345678_1234_5678_1234_567812345678));
        for text in [
            "12345678-1234-5678-1234-567812345678",
            "12345678123456781234567812345678",
            "{12345678-1234-5678-1234-567812345678}",
            "urn:uuid:12345678-1234-5678-1234-567812345678",
        ] {
            assert_eq!(uuid(Input::Text(text)), expected, "{text}");
        }
    }

    #[test]
    fn errors_read_like_pydantic() {
        let cases = [
            ("abc", "invalid length: found 3"),
            (
                "zzzzzzzz-1234-5678-1234-567812345678",
                "invalid character: found `z` at 0",
            ),
            (
                "12345678-1234-5678-1234-56781234567",
                "invalid group length in group 4: expected 12, found 11",
            ),
            ("2024-01-02", "invalid group count: expected 5, found 3"),
        ];
        for (text, message) in cases {
            assert_eq!(
                uuid(Input::Text(text)),
                Err(ErrorKind::UuidParsing(message.into())),
                "{text}"
            );
        }
    }
}
