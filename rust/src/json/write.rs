//! JSON text exactly as Python's `json.dumps(ensure_ascii=False, allow_nan=False)` writes it.
//!
//! FastAPI renders every body with `ensure_ascii=False, separators=(",", ":")`, so non-ASCII
//! text is written as UTF-8 and only quotes, backslashes and control characters are escaped.
//! Both the Rust-built error bodies and the worker's result conversion use this one writer,
//! so the two can never disagree on escaping.

use super::JsonValue;

/// A value Python's `json.dumps(allow_nan=False)` plus UTF-8 encoding refuses: NaN and
/// the infinities, or a string with lone surrogates (FastAPI then answers 500).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotRenderable;

/// Appends `text` to `out` as a JSON string literal, quotes included.
pub fn write_str(out: &mut Vec<u8>, text: &str) {
    out.reserve(text.len() + 2);
    out.push(b'"');
    let bytes = text.as_bytes();
    let mut start = 0;
    for (index, &byte) in bytes.iter().enumerate() {
        let escape: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0x00..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..index]);
        if escape.is_empty() {
            // Python writes the remaining control characters as lowercase `\u00xx`.
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX[(byte >> 4) as usize]);
            out.push(HEX[(byte & 0xf) as usize]);
        } else {
            out.extend_from_slice(escape);
        }
        start = index + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Appends a signed integer in decimal.
pub fn write_i64(out: &mut Vec<u8>, value: i64) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

/// Appends a float exactly as Python's `repr(float)` writes it: the shortest digits that
/// round-trip, in fixed notation for decimal exponents -4..=15 (with `.0` when integral)
/// and otherwise as `d.ddde+XX`.
///
/// The digits come from `ryu`, which, like CPython's dtoa, breaks exact ties to even
/// (Rust's own `{:e}` does not: it prints `...850.13` where Python prints `...850.12`).
pub fn write_f64(out: &mut Vec<u8>, value: f64) -> Result<(), NotRenderable> {
    if !value.is_finite() {
        return Err(NotRenderable);
    }
    let mut buffer = ryu::Buffer::new();
    let printed = buffer.format_finite(value).as_bytes();
    let (negative, printed) = match printed.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, printed),
    };
    let (digit_storage, count, exponent) = shortest_digits(printed);
    let digits = &digit_storage[..count];
    if negative {
        out.push(b'-');
    }
    if (-4..16).contains(&exponent) {
        let point = exponent + 1; // digits before the decimal point
        if point <= 0 {
            out.extend_from_slice(b"0.");
            out.extend(std::iter::repeat_n(b'0', (-point) as usize));
            out.extend_from_slice(digits);
        } else if point as usize >= digits.len() {
            out.extend_from_slice(digits);
            out.extend(std::iter::repeat_n(b'0', point as usize - digits.len()));
            out.extend_from_slice(b".0");
        } else {
            let (whole, fraction) = digits.split_at(point as usize);
            out.extend_from_slice(whole);
            out.push(b'.');
            out.extend_from_slice(fraction);
        }
    } else {
        out.push(digits[0]);
        if digits.len() > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits[1..]);
        }
        out.push(b'e');
        out.push(if exponent < 0 { b'-' } else { b'+' });
        let magnitude = exponent.unsigned_abs();
        if magnitude < 10 {
            out.push(b'0');
        }
        out.extend_from_slice(itoa::Buffer::new().format(magnitude).as_bytes());
    }
    Ok(())
}

/// The significant digits (no leading or trailing zeros; `0` for zero) of an unsigned
/// decimal as `ryu` prints it (`123.45`, `1e16`, `1.5e-7`), and the power of ten of the
/// first digit.
fn shortest_digits(printed: &[u8]) -> ([u8; 24], usize, i32) {
    let (mantissa, exponent) = match printed.iter().position(|&b| b == b'e') {
        Some(e) => {
            let text = std::str::from_utf8(&printed[e + 1..]).expect("ASCII exponent");
            let exponent = text.parse::<i32>().expect("ryu writes an integer exponent");
            (&printed[..e], exponent)
        }
        None => (printed, 0),
    };
    let point = mantissa.iter().position(|&b| b == b'.');
    let point = point.unwrap_or(mantissa.len());
    let all_digits = mantissa.iter().copied().filter(|&b| b != b'.');
    let mut digits = [0u8; 24];
    // The digit at index i (the point removed) stands for 10^(point - 1 - i).
    let Some(first) = all_digits.clone().position(|digit| digit != b'0') else {
        digits[0] = b'0';
        return (digits, 1, 0);
    };
    let mut count = 0;
    for digit in all_digits.skip(first) {
        digits[count] = digit;
        count += 1;
    }
    while count > 1 && digits[count - 1] == b'0' {
        count -= 1;
    }
    (digits, count, point as i32 - 1 - first as i32 + exponent)
}

/// Appends a parsed JSON value as Python would render what `json.loads` built from it.
pub fn write_value(out: &mut Vec<u8>, value: &JsonValue) -> Result<(), NotRenderable> {
    match value {
        JsonValue::Null => out.extend_from_slice(b"null"),
        JsonValue::Bool(true) => out.extend_from_slice(b"true"),
        JsonValue::Bool(false) => out.extend_from_slice(b"false"),
        JsonValue::Int(number) => write_i64(out, *number),
        JsonValue::BigInt(digits) => out.extend_from_slice(digits.as_bytes()),
        JsonValue::Float(number) => write_f64(out, *number)?,
        JsonValue::Str(text) => write_str(out, text),
        JsonValue::LoneSurrogates { .. } => return Err(NotRenderable),
        JsonValue::Array(items) => {
            out.push(b'[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_value(out, item)?;
            }
            out.push(b']');
        }
        JsonValue::Object(entries) => {
            out.push(b'{');
            for (index, (key, item)) in entries.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_str(out, key);
                out.push(b':');
                write_value(out, item)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(text: &str) -> String {
        let mut out = Vec::new();
        write_str(&mut out, text);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn escapes_like_python_json_dumps() {
        let cases = [
            ("plain", r#""plain""#),
            ("é😀\u{2028}", "\"é😀\u{2028}\""),
            ("\"\\/", r#""\"\\/""#),
            ("\t\n\r\u{8}\u{c}", r#""\t\n\r\b\f""#),
            ("\u{0}\u{1f}\u{7f}", "\"\\u0000\\u001f\u{7f}\""),
            ("", r#""""#),
        ];
        for (input, expected) in cases {
            assert_eq!(render(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn floats_match_python_repr() {
        let cases = [
            (1.0, "1.0"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (1.5, "1.5"),
            (0.1, "0.1"),
            (1e15, "1000000000000000.0"),
            (1e16, "1e+16"),
            (1.5e16, "1.5e+16"),
            (123456789.125, "123456789.125"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.25e-7, "1.25e-07"),
            (1e300, "1e+300"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (2.0f64.powi(60), "1.152921504606847e+18"),
            (-243_915_020_125_850.1, "-243915020125850.1"),
            (f64::from_bits(0xC2EB_BADC_8428_D344), "-243915020125850.12"),
            (0.3, "0.3"),
            (123456.0, "123456.0"),
            (1e22, "1e+22"),
            (9007199254740993.0, "9007199254740992.0"),
        ];
        for (value, expected) in cases {
            let mut out = Vec::new();
            write_f64(&mut out, value).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), expected, "value {value:e}");
        }
        assert_eq!(write_f64(&mut Vec::new(), f64::NAN), Err(NotRenderable));
    }

    #[test]
    fn writes_integers() {
        let mut out = Vec::new();
        write_i64(&mut out, i64::MIN);
        assert_eq!(out, b"-9223372036854775808");
    }
}
