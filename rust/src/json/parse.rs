//! A JSON parser that accepts, builds and rejects exactly what CPython's `json.loads(bytes)`
//! does, so FastAPI's `json_invalid` answers (message and character offset) can be given
//! without Python.
//!
//! It follows the grammar of CPython's C scanner (`Modules/_json.c`): `NaN`, `Infinity` and
//! `-Infinity` are numbers, control characters inside strings are refused, the last of
//! repeated keys wins, and each error is reported where the C scanner reports it. Python
//! 3.13 added its own messages for trailing commas; `python_minor` selects them.

use super::decode::{decode, TextWithSurrogates};
use super::JsonValue;

/// Why a body is not JSON, as FastAPI sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseFailure {
    /// `json.JSONDecodeError`: FastAPI answers 422 `json_invalid`.
    Syntax(SyntaxError),
    /// Any other exception from `json.loads` (bytes that do not decode, an integer longer
    /// than Python's 4300-digit limit, nesting deeper than the interpreter's recursion
    /// limit): FastAPI answers 400 "There was an error parsing the body".
    Unreadable,
}

/// A `json.JSONDecodeError`'s `msg` and `pos` (a character offset into the decoded text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: &'static str,
    pub position: usize,
}

const TRAILING_COMMA_IN_OBJECT: &str = "Illegal trailing comma before end of object";
const TRAILING_COMMA_IN_ARRAY: &str = "Illegal trailing comma before end of array";

/// Python's default `sys.get_int_max_str_digits()`.
const MAX_INT_DIGITS: usize = 4300;
/// The deepest nesting CPython's C scanner reaches before `RecursionError`, measured from a
/// plain script (its C recursion limit: 1497 levels on 3.12, 9998 on 3.13). Under FastAPI
/// the call stack is a little deeper, so its limit is a few levels lower.
fn max_depth(python_minor: u32) -> usize {
    if python_minor >= 13 {
        9998
    } else {
        1497
    }
}

/// Parses a request body as `json.loads(body)` would.
pub fn parse(body: &[u8], python_minor: u32) -> Result<JsonValue, ParseFailure> {
    let decoded = decode(body).ok_or(ParseFailure::Unreadable)?;
    let parser = Parser {
        text: &decoded.text,
        bytes: decoded.text.as_bytes(),
        surrogates: &decoded.surrogates,
        python_minor,
        max_depth: max_depth(python_minor),
    };
    parser.document()
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    /// Lone surrogates the body itself held (as U+FFFD in `text`), by byte offset.
    surrogates: &'a [(usize, u32)],
    python_minor: u32,
    max_depth: usize,
}

/// How scanning one value ended when it did not produce one.
enum ScanError {
    /// No value starts here (Python's `StopIteration(idx)`): the caller reports what it
    /// expected.
    NoValue(usize),
    Failed(ParseFailure),
}

impl From<ParseFailure> for ScanError {
    fn from(failure: ParseFailure) -> Self {
        ScanError::Failed(failure)
    }
}

type Scan<T> = Result<T, ScanError>;

impl Parser<'_> {
    fn document(&self) -> Result<JsonValue, ParseFailure> {
        let start = self.skip_whitespace(0);
        let (value, end) = match self.value(start, 0) {
            Ok(found) => found,
            Err(ScanError::NoValue(at)) => return Err(self.syntax("Expecting value", at)),
            Err(ScanError::Failed(failure)) => return Err(failure),
        };
        let end = self.skip_whitespace(end);
        if end != self.bytes.len() {
            return Err(self.syntax("Extra data", end));
        }
        Ok(value)
    }

    fn syntax(&self, message: &'static str, byte_offset: usize) -> ParseFailure {
        ParseFailure::Syntax(SyntaxError {
            message,
            position: self.text[..byte_offset].chars().count(),
        })
    }

    fn at(&self, index: usize) -> Option<u8> {
        self.bytes.get(index).copied()
    }

    fn skip_whitespace(&self, mut index: usize) -> usize {
        while matches!(self.at(index), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            index += 1;
        }
        index
    }

    /// Python's `scan_once`: the value starting at `index` and the index after it.
    fn value(&self, index: usize, depth: usize) -> Scan<(JsonValue, usize)> {
        let rest = &self.bytes[index.min(self.bytes.len())..];
        let literal = |word: &str, value: JsonValue| -> Option<(JsonValue, usize)> {
            rest.starts_with(word.as_bytes())
                .then(|| (value, index + word.len()))
        };
        let found = match rest.first() {
            None => return Err(ScanError::NoValue(index)),
            Some(b'"') => {
                let (text, end) = self.string(index + 1)?;
                return Ok((text.into_value(), end));
            }
            Some(b'{') => return self.object(index + 1, depth + 1),
            Some(b'[') => return self.array(index + 1, depth + 1),
            Some(b'n') => literal("null", JsonValue::Null),
            Some(b't') => literal("true", JsonValue::Bool(true)),
            Some(b'f') => literal("false", JsonValue::Bool(false)),
            Some(b'N') => literal("NaN", JsonValue::Float(f64::NAN)),
            Some(b'I') => literal("Infinity", JsonValue::Float(f64::INFINITY)),
            Some(b'-') => literal("-Infinity", JsonValue::Float(f64::NEG_INFINITY)),
            Some(_) => None,
        };
        match found {
            Some(found) => Ok(found),
            None => self.number(index),
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`; an int unless it has a fraction or
    /// an exponent.
    fn number(&self, start: usize) -> Scan<(JsonValue, usize)> {
        let digits_from = |mut index: usize| {
            while matches!(self.at(index), Some(b'0'..=b'9')) {
                index += 1;
            }
            index
        };
        let mut index = start;
        if self.at(index) == Some(b'-') {
            index += 1;
        }
        index = match self.at(index) {
            Some(b'1'..=b'9') => digits_from(index + 1),
            Some(b'0') => index + 1,
            _ => return Err(ScanError::NoValue(start)),
        };
        let mut is_float = false;
        if self.at(index) == Some(b'.') && matches!(self.at(index + 1), Some(b'0'..=b'9')) {
            index = digits_from(index + 1);
            is_float = true;
        }
        if matches!(self.at(index), Some(b'e' | b'E')) {
            let mut exponent = index + 1;
            if matches!(self.at(exponent), Some(b'+' | b'-')) {
                exponent += 1;
            }
            if matches!(self.at(exponent), Some(b'0'..=b'9')) {
                index = digits_from(exponent);
                is_float = true;
            }
        }
        let literal = &self.text[start..index];
        let value = if is_float {
            JsonValue::Float(literal.parse().map_err(|_| ParseFailure::Unreadable)?)
        } else if literal.trim_start_matches('-').len() > MAX_INT_DIGITS {
            return Err(ParseFailure::Unreadable.into());
        } else {
            match literal.parse::<i64>() {
                Ok(number) => JsonValue::Int(number),
                Err(_) => JsonValue::BigInt(if literal == "-0" {
                    "0".into()
                } else {
                    literal.into()
                }),
            }
        };
        Ok((value, index))
    }

    /// Python's `scanstring` (strict): `start` is just after the opening quote.
    fn string(&self, start: usize) -> Scan<(TextWithSurrogates, usize)> {
        let quote = start - 1;
        let mut out = TextWithSurrogates::default();
        let mut index = start;
        loop {
            let chunk_start = index;
            loop {
                match self.at(index) {
                    None => {
                        return Err(self.syntax("Unterminated string starting at", quote).into())
                    }
                    Some(b'"' | b'\\') => break,
                    Some(0x00..=0x1f) => {
                        return Err(self.syntax("Invalid control character at", index).into())
                    }
                    Some(_) => index += 1,
                }
            }
            self.copy_chunk(&mut out, chunk_start, index);
            if self.at(index) == Some(b'"') {
                return Ok((out, index + 1));
            }
            let escape = index + 1;
            let Some(kind) = self.at(escape) else {
                return Err(self.syntax("Unterminated string starting at", quote).into());
            };
            if kind == b'u' {
                let (code, end) = self.unicode_escape(escape + 1)?;
                out.push(code);
                index = end;
                continue;
            }
            out.text.push(match kind {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                _ => return Err(self.syntax("Invalid \\escape", index).into()),
            });
            index = escape + 1;
        }
    }

    /// Appends `text[start..end]`, restoring the lone surrogates the body held there.
    fn copy_chunk(&self, out: &mut TextWithSurrogates, start: usize, end: usize) {
        let first = self
            .surrogates
            .partition_point(|&(offset, _)| offset < start);
        let mut copied = start;
        for &(offset, code) in self.surrogates[first..]
            .iter()
            .take_while(|(offset, _)| *offset < end)
        {
            out.text.push_str(&self.text[copied..offset]);
            out.push(code);
            copied = offset + '\u{fffd}'.len_utf8();
        }
        out.text.push_str(&self.text[copied..end]);
    }

    /// A `\uXXXX` escape (and its low surrogate, if it is a high one): the code point (a
    /// lone surrogate stays one) and the index after it; `digits` is the index of the first
    /// hex digit.
    fn unicode_escape(&self, digits: usize) -> Scan<(u32, usize)> {
        let first = self.hex4(digits)?;
        let mut end = digits + 4;
        let code = if (0xd800..0xdc00).contains(&first)
            && self.at(end) == Some(b'\\')
            && self.at(end + 1) == Some(b'u')
        {
            let second = self.hex4(end + 2)?;
            if (0xdc00..0xe000).contains(&second) {
                end += 6;
                0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00)
            } else {
                first
            }
        } else {
            first
        };
        Ok((code, end))
    }

    fn hex4(&self, digits: usize) -> Scan<u32> {
        let invalid = |at| ScanError::Failed(self.syntax("Invalid \\uXXXX escape", at));
        // CPython needs one more character after the four digits (at least the closing
        // quote) before it reads them.
        if digits + 4 >= self.bytes.len() {
            return Err(invalid(digits - 1));
        }
        let text = &self.bytes[digits..digits + 4];
        if !text.iter().all(u8::is_ascii_hexdigit) {
            return Err(invalid(digits - 1));
        }
        let text = std::str::from_utf8(text).expect("hex digits are ASCII");
        Ok(u32::from_str_radix(text, 16).expect("four hex digits"))
    }

    fn object(&self, start: usize, depth: usize) -> Scan<(JsonValue, usize)> {
        if depth > self.max_depth {
            return Err(ParseFailure::Unreadable.into());
        }
        let mut entries = ObjectBuilder::default();
        let mut index = self.skip_whitespace(start);
        if self.at(index) == Some(b'}') {
            return Ok((entries.finish(), index + 1));
        }
        loop {
            if self.at(index) != Some(b'"') {
                return Err(self
                    .syntax("Expecting property name enclosed in double quotes", index)
                    .into());
            }
            let (key, after_key) = self.string(index + 1)?;
            // A key keeps U+FFFD for a lone surrogate (docs/parameters.md).
            let key = key.text;
            index = self.skip_whitespace(after_key);
            if self.at(index) != Some(b':') {
                return Err(self.syntax("Expecting ':' delimiter", index).into());
            }
            index = self.skip_whitespace(index + 1);
            let (value, after_value) = self.element(index, depth)?;
            entries.insert(key, value);
            match self.after_element(after_value, b'}', TRAILING_COMMA_IN_OBJECT)? {
                Next::Closed(end) => return Ok((entries.finish(), end)),
                Next::Element(next) => index = next,
            }
        }
    }

    fn array(&self, start: usize, depth: usize) -> Scan<(JsonValue, usize)> {
        if depth > self.max_depth {
            return Err(ParseFailure::Unreadable.into());
        }
        let mut items = Vec::new();
        let mut index = self.skip_whitespace(start);
        if self.at(index) == Some(b']') {
            return Ok((JsonValue::Array(items), index + 1));
        }
        loop {
            let (value, after_value) = self.element(index, depth)?;
            items.push(value);
            match self.after_element(after_value, b']', TRAILING_COMMA_IN_ARRAY)? {
                Next::Closed(end) => return Ok((JsonValue::Array(items), end)),
                Next::Element(next) => index = next,
            }
        }
    }

    /// A value inside an object or array, where none is "Expecting value".
    fn element(&self, index: usize, depth: usize) -> Scan<(JsonValue, usize)> {
        self.value(index, depth).map_err(|error| match error {
            ScanError::NoValue(at) => self.syntax("Expecting value", at).into(),
            failed => failed,
        })
    }

    /// What follows an element: the container's `close`, or a comma and the next element.
    fn after_element(&self, index: usize, close: u8, trailing_comma: &'static str) -> Scan<Next> {
        let index = self.skip_whitespace(index);
        match self.at(index) {
            Some(byte) if byte == close => return Ok(Next::Closed(index + 1)),
            Some(b',') => {}
            _ => return Err(self.syntax("Expecting ',' delimiter", index).into()),
        }
        let next = self.skip_whitespace(index + 1);
        // 3.13 names a trailing comma; 3.12 reports what it expected instead (the caller's
        // next step fails with its own message).
        if self.python_minor >= 13 && self.at(next) == Some(close) {
            return Err(self.syntax(trailing_comma, index).into());
        }
        Ok(Next::Element(next))
    }
}

/// Where a container goes after one of its elements.
enum Next {
    /// It closed; parsing continues at this index.
    Closed(usize),
    /// Another element starts at this index.
    Element(usize),
}

impl TextWithSurrogates {
    fn into_value(self) -> JsonValue {
        if self.surrogates.is_empty() {
            return JsonValue::Str(self.text);
        }
        // WTF-8: each surrogate as the three bytes UTF-8 would give it if it were allowed.
        let mut wtf8 = Vec::with_capacity(self.text.len());
        let mut copied = 0;
        for &(offset, code) in &self.surrogates {
            wtf8.extend_from_slice(&self.text.as_bytes()[copied..offset]);
            wtf8.extend_from_slice(&[
                0xed,
                0x80 | ((code >> 6) & 0x3f) as u8,
                0x80 | (code & 0x3f) as u8,
            ]);
            copied = offset + '\u{fffd}'.len_utf8();
        }
        wtf8.extend_from_slice(&self.text.as_bytes()[copied..]);
        JsonValue::LoneSurrogates {
            lossy: self.text,
            wtf8,
        }
    }
}

/// Builds an object's entries as a Python `dict` would: a repeated key keeps its first
/// position and takes the last value. Large objects get an index, so hostile bodies with
/// many keys cost linear time.
#[derive(Default)]
struct ObjectBuilder {
    entries: Vec<(String, JsonValue)>,
    index: Option<std::collections::HashMap<String, usize>>,
}

impl ObjectBuilder {
    const INDEX_FROM: usize = 16;

    fn insert(&mut self, key: String, value: JsonValue) {
        let existing = match &self.index {
            Some(index) => index.get(&key).copied(),
            None => self.entries.iter().position(|(k, _)| *k == key),
        };
        if let Some(position) = existing {
            self.entries[position].1 = value;
            return;
        }
        if let Some(index) = &mut self.index {
            index.insert(key.clone(), self.entries.len());
        }
        self.entries.push((key, value));
        if self.index.is_none() && self.entries.len() >= Self::INDEX_FROM {
            let index = self
                .entries
                .iter()
                .enumerate()
                .map(|(i, (k, _))| (k.clone(), i));
            self.index = Some(index.collect());
        }
    }

    fn finish(self) -> JsonValue {
        JsonValue::Object(self.entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders a parsed value as `json.dumps(value, separators=(",", ":"))` would, NaN and
    /// the infinities included.
    fn render(value: &JsonValue) -> String {
        match value {
            JsonValue::Float(number) if number.is_nan() => "NaN".into(),
            JsonValue::Float(number) if number.is_infinite() => {
                if *number > 0.0 {
                    "Infinity".into()
                } else {
                    "-Infinity".into()
                }
            }
            JsonValue::Array(items) => {
                format!(
                    "[{}]",
                    items.iter().map(render).collect::<Vec<_>>().join(",")
                )
            }
            JsonValue::Object(entries) => {
                let entries: Vec<String> = entries
                    .iter()
                    .map(|(key, item)| {
                        let mut out = Vec::new();
                        super::super::write_str(&mut out, key);
                        format!("{}:{}", String::from_utf8(out).unwrap(), render(item))
                    })
                    .collect();
                format!("{{{}}}", entries.join(","))
            }
            scalar => {
                let mut out = Vec::new();
                super::super::write_value(&mut out, scalar).unwrap();
                String::from_utf8(out).unwrap()
            }
        }
    }

    fn outcome(input: &[u8], python_minor: u32) -> String {
        match parse(input, python_minor) {
            Ok(value) => format!("OK {}", render(&value)),
            Err(ParseFailure::Syntax(error)) => format!("ERR {} {}", error.position, error.message),
            Err(ParseFailure::Unreadable) => "EXC".into(),
        }
    }

    fn unhex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|index| u8::from_str_radix(&text[index..index + 2], 16).unwrap())
            .collect()
    }

    /// Every case CPython 3.12 and 3.13 were run on (`tests/data/gen_json_cases.py`).
    #[test]
    fn matches_cpython_json_loads() {
        let cases = include_str!("../../tests/data/json_cases.tsv");
        let mut checked = 0;
        for line in cases.lines() {
            let columns: Vec<&str> = line.split('\t').collect();
            let input = unhex(columns[0]);
            for (minor, expected) in [(12, columns[1]), (13, columns[2])] {
                assert_eq!(
                    outcome(&input, minor),
                    expected,
                    "input {:?} on 3.{minor}",
                    String::from_utf8_lossy(&input)
                );
                checked += 1;
            }
        }
        assert!(checked > 250, "the case table was read");
    }

    #[test]
    fn surrogates_in_the_body_itself_pass_as_in_python() {
        // `json.loads` decodes bytes with `surrogatepass`: ED A0 80 is U+D800.
        let value = parse(b"[\"a\xed\xa0\x80\", \"\xef\xbf\xbd\"]", 13).unwrap();
        assert_eq!(
            value,
            JsonValue::Array(vec![
                JsonValue::LoneSurrogates {
                    lossy: "a\u{fffd}".into(),
                    wtf8: b"a\xed\xa0\x80".to_vec(),
                },
                JsonValue::Str("\u{fffd}".into()),
            ])
        );
        let utf16: Vec<u8> = [0x22u16, 0xdc00, 0x22]
            .iter()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert!(matches!(
            parse(&utf16, 13),
            Ok(JsonValue::LoneSurrogates { .. })
        ));
        let Err(ParseFailure::Syntax(error)) = parse(b"[1, \xed\xa0\x80]", 13) else {
            panic!("a surrogate is not a value");
        };
        assert_eq!((error.message, error.position), ("Expecting value", 4));
    }

    #[test]
    fn lone_surrogates_are_kept_as_wtf8() {
        let value = parse(br#""a\ud800b\udfff""#, 13).unwrap();
        assert_eq!(
            value,
            JsonValue::LoneSurrogates {
                lossy: "a\u{fffd}b\u{fffd}".into(),
                wtf8: b"a\xed\xa0\x80b\xed\xbf\xbf".to_vec(),
            }
        );
        assert_eq!(
            parse(br#""\ud83d\ude00""#, 13).unwrap(),
            JsonValue::Str("😀".into())
        );
    }

    #[test]
    fn nesting_beyond_the_interpreter_limit_is_unreadable() {
        // The parser recurses per level: it must fit the stack an I/O thread gets.
        std::thread::Builder::new()
            .stack_size(crate::server::IO_THREAD_STACK_BYTES)
            .spawn(|| {
                for (minor, limit) in [(12, 1497), (13, 9998)] {
                    let nested = |depth: usize| [vec![b'['; depth], vec![b']'; depth]].concat();
                    assert!(
                        parse(&nested(limit), minor).is_ok(),
                        "3.{minor} at its limit"
                    );
                    assert_eq!(
                        parse(&nested(limit + 1), minor),
                        Err(ParseFailure::Unreadable)
                    );
                }
            })
            .unwrap()
            .join()
            .unwrap();
    }
}
