//! `datetime` and `date`, parsed by `speedate`, the crate pydantic-core itself uses, so
//! the accepted formats and the error texts are the same.
//!
//! pydantic's lax rules: a datetime may be given as a date (midnight) and a date as a
//! datetime with a zero time; numbers and numeric strings are Unix timestamps (seconds, or
//! milliseconds beyond 2e10), which give UTC datetimes.

use speedate::{
    Date, DateConfig, DateTime, DateTimeConfig, MicrosecondsPrecisionOverflowBehavior, ParseError,
    TimeConfig,
};
use strum::EnumMessage;

use super::Input;
use crate::extract::errors::ErrorKind;
use crate::json::JsonValue;
use crate::value::{ArgValue, DateTimeValue, DateValue};

const YEAR_ZERO: &str = "year 0 is out of range";
const NAN_TIMESTAMP: &str = "NaN values not permitted";

fn config() -> DateTimeConfig {
    DateTimeConfig {
        // pydantic's defaults: timestamps are UTC, digits beyond microseconds are dropped.
        time_config: TimeConfig {
            unix_timestamp_offset: Some(0),
            microseconds_precision_overflow_behavior:
                MicrosecondsPrecisionOverflowBehavior::Truncate,
        },
        ..DateTimeConfig::default()
    }
}

fn explain(error: ParseError) -> String {
    error.get_documentation().unwrap_or_default().to_owned()
}

pub fn datetime(input: Input<'_>) -> Result<ArgValue, ErrorKind> {
    let parsed = match input {
        Input::Json(JsonValue::Int(number)) => {
            DateTime::from_timestamp_with_config(*number, 0, &config())
                .map_err(|error| ErrorKind::DatetimeParsing(explain(error)))?
        }
        Input::Json(JsonValue::BigInt(digits)) => {
            return Err(match out_of_range(digits) {
                Some(error) => ErrorKind::DatetimeParsing(explain(error)),
                None => ErrorKind::DatetimeType,
            })
        }
        Input::Json(JsonValue::Float(number)) => {
            if number.is_nan() {
                return Err(ErrorKind::DatetimeParsing(NAN_TIMESTAMP.into()));
            }
            DateTime::from_float_with_config(*number, &config())
                .map_err(|error| ErrorKind::DatetimeParsing(explain(error)))?
        }
        Input::Json(JsonValue::Bool(_)) => return Err(ErrorKind::DatetimeType),
        _ => {
            let bytes = match input {
                Input::Bytes(bytes) => bytes,
                _ => input.as_text().ok_or(ErrorKind::DatetimeType)?.as_bytes(),
            };
            match DateTime::parse_bytes_with_config(bytes, &config()) {
                Ok(parsed) => parsed,
                // Not a datetime: a date is one at midnight, and its error is the one shown.
                Err(_) => match Date::parse_bytes(bytes) {
                    Ok(date) if date.year == 0 => {
                        return Err(ErrorKind::DatetimeParsing(YEAR_ZERO.into()))
                    }
                    Ok(date) => {
                        return Ok(ArgValue::DateTime(DateTimeValue {
                            date: date_value(date),
                            hour: 0,
                            minute: 0,
                            second: 0,
                            microsecond: 0,
                            utc_offset: None,
                        }))
                    }
                    Err(error) => return Err(ErrorKind::DatetimeFromDateParsing(explain(error))),
                },
            }
        }
    };
    if parsed.date.year == 0 {
        return Err(ErrorKind::DatetimeParsing(YEAR_ZERO.into()));
    }
    Ok(ArgValue::DateTime(DateTimeValue {
        date: date_value(parsed.date),
        hour: parsed.time.hour,
        minute: parsed.time.minute,
        second: parsed.time.second,
        microsecond: parsed.time.microsecond,
        utc_offset: parsed.time.tz_offset,
    }))
}

pub fn date(input: Input<'_>) -> Result<ArgValue, ErrorKind> {
    let from_timestamp = |seconds: i64| {
        Date::from_timestamp(seconds, true, &DateConfig::default()).map_err(|error| match error {
            ParseError::DateNotExact => ErrorKind::DateFromDatetimeInexact,
            other => ErrorKind::DateFromDatetimeParsing(explain(other)),
        })
    };
    let parsed = match input {
        Input::Json(JsonValue::Int(number)) => from_timestamp(*number)?,
        Input::Json(JsonValue::BigInt(digits)) => {
            return Err(match out_of_range(digits) {
                Some(error) => ErrorKind::DateFromDatetimeParsing(explain(error)),
                None => ErrorKind::DateType,
            })
        }
        Input::Json(JsonValue::Float(number)) => {
            if number.is_nan() {
                return Err(ErrorKind::DateFromDatetimeParsing(NAN_TIMESTAMP.into()));
            }
            // As a datetime first (microseconds rounded), then it must be a midnight.
            let parsed = DateTime::from_float_with_config(*number, &config())
                .map_err(|error| ErrorKind::DateFromDatetimeParsing(explain(error)))?;
            exact_date(parsed)?
        }
        Input::Json(JsonValue::Bool(_)) => return Err(ErrorKind::DateType),
        _ => {
            let bytes = match input {
                Input::Bytes(bytes) => bytes,
                _ => input.as_text().ok_or(ErrorKind::DateType)?.as_bytes(),
            };
            match Date::parse_bytes(bytes) {
                Ok(date) => date,
                Err(ParseError::DateNotExact) => return Err(ErrorKind::DateFromDatetimeInexact),
                // Not a date: a datetime with a zero time is one, and its error is the one
                // shown.
                Err(_) => match DateTime::parse_bytes_with_config(bytes, &config()) {
                    Ok(parsed) => exact_date(parsed)?,
                    Err(error) => return Err(ErrorKind::DateFromDatetimeParsing(explain(error))),
                },
            }
        }
    };
    if parsed.year == 0 {
        return Err(ErrorKind::DateParsing(YEAR_ZERO.into()));
    }
    Ok(ArgValue::Date(date_value(parsed)))
}

/// Why a timestamp beyond i64 is refused: before year 0 or after 9999, by its sign; `None`
/// when it does not even fit a float, which pydantic then refuses as not a date at all.
fn out_of_range(digits: &str) -> Option<ParseError> {
    if digits.parse::<f64>().map_or(true, f64::is_infinite) {
        return None;
    }
    Some(if digits.starts_with('-') {
        ParseError::DateTooSmall
    } else {
        ParseError::DateTooLarge
    })
}

/// The date of a datetime at exactly midnight.
fn exact_date(parsed: DateTime) -> Result<Date, ErrorKind> {
    let time = parsed.time;
    if (time.hour, time.minute, time.second, time.microsecond) != (0, 0, 0, 0) {
        return Err(ErrorKind::DateFromDatetimeInexact);
    }
    Ok(parsed.date)
}

fn date_value(date: Date) -> DateValue {
    DateValue {
        year: date.year,
        month: date.month,
        day: date.day,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_datetime(text: &str) -> Result<ArgValue, ErrorKind> {
        datetime(Input::Text(text))
    }

    #[test]
    fn datetimes() {
        let Ok(ArgValue::DateTime(value)) = text_datetime("2024-01-02T03:04:05.123+02:00") else {
            panic!("valid datetime");
        };
        assert_eq!(
            (value.hour, value.microsecond, value.utc_offset),
            (3, 123_000, Some(7200))
        );
        let Ok(ArgValue::DateTime(midnight)) = text_datetime("2024-01-02") else {
            panic!("a date is a datetime");
        };
        assert_eq!((midnight.hour, midnight.utc_offset), (0, None));
        let Ok(ArgValue::DateTime(stamp)) = text_datetime("1700000000") else {
            panic!("timestamp");
        };
        assert_eq!((stamp.date.year, stamp.utc_offset), (2023, Some(0)));
        let cases = [
            (
                "abc",
                ErrorKind::DatetimeFromDateParsing("input is too short".into()),
            ),
            (
                "2024-01-01T25:00",
                ErrorKind::DatetimeFromDateParsing(
                    "unexpected extra characters at the end of the input".into(),
                ),
            ),
            (
                "2024-13-01",
                ErrorKind::DatetimeFromDateParsing(
                    "month value is outside expected range of 1-12".into(),
                ),
            ),
            ("0000-01-01", ErrorKind::DatetimeParsing(YEAR_ZERO.into())),
        ];
        for (text, kind) in cases {
            assert_eq!(text_datetime(text), Err(kind), "{text}");
        }
        assert_eq!(
            datetime(Input::Json(&JsonValue::Float(1e20))),
            Err(ErrorKind::DatetimeParsing(
                "dates after 9999 are not supported as unix timestamps".into()
            ))
        );
    }

    #[test]
    fn dates() {
        assert_eq!(
            date(Input::Text("2024-01-02")),
            Ok(ArgValue::Date(DateValue {
                year: 2024,
                month: 1,
                day: 2
            }))
        );
        assert_eq!(
            date(Input::Text("2024-01-02T00:00:00Z")),
            Ok(ArgValue::Date(DateValue {
                year: 2024,
                month: 1,
                day: 2
            }))
        );
        assert_eq!(
            date(Input::Text("2024-01-02T03:00")),
            Err(ErrorKind::DateFromDatetimeInexact)
        );
        assert_eq!(
            date(Input::Text("1")),
            Err(ErrorKind::DateFromDatetimeInexact)
        );
        assert_eq!(
            date(Input::Text("2024-01-01T25:00")),
            Err(ErrorKind::DateFromDatetimeParsing(
                "hour value is outside expected range of 0-23".into()
            ))
        );
        assert_eq!(
            date(Input::Json(&JsonValue::Int(86400))),
            Ok(ArgValue::Date(DateValue {
                year: 1970,
                month: 1,
                day: 2
            }))
        );
    }
}
