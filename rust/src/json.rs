//! JSON text exactly as Python's `json.dumps(ensure_ascii=False)` writes it.
//!
//! FastAPI renders every body with `ensure_ascii=False, separators=(",", ":")`, so non-ASCII
//! text is written as UTF-8 and only quotes, backslashes and control characters are escaped.
//! Both the Rust-built error bodies and the worker's result conversion use this one writer,
//! so the two can never disagree on escaping.

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
    fn writes_integers() {
        let mut out = Vec::new();
        write_i64(&mut out, i64::MIN);
        assert_eq!(out, b"-9223372036854775808");
    }
}
