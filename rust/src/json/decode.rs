//! Bytes to text as `json.loads(bytes)` decodes them: `json.detect_encoding` picks UTF-8
//! (with or without BOM), UTF-16 or UTF-32, and the `surrogatepass` error handler lets lone
//! surrogates through.
//!
//! A Rust string cannot hold a surrogate, so each one becomes U+FFFD in the text and is
//! listed with its byte offset; the parser puts it back where it lands in a JSON string.

/// Text as Python holds it: UTF-8, plus the lone surrogates Python keeps and UTF-8 cannot,
/// each standing as U+FFFD in `text`. Used for a decoded body and for each JSON string.
#[derive(Debug, Default)]
pub struct TextWithSurrogates {
    pub text: String,
    /// `(byte offset of its U+FFFD in text, surrogate)`, in order.
    pub surrogates: Vec<(usize, u32)>,
}

impl TextWithSurrogates {
    fn with_capacity(capacity: usize) -> Self {
        TextWithSurrogates {
            text: String::with_capacity(capacity),
            surrogates: Vec::new(),
        }
    }

    /// Appends a code point; a surrogate is recorded and stands as U+FFFD.
    pub fn push(&mut self, code: u32) {
        match char::from_u32(code) {
            Some(character) => self.text.push(character),
            None => {
                self.surrogates.push((self.text.len(), code));
                self.text.push('\u{fffd}');
            }
        }
    }
}

/// Decodes `body`; `None` where Python raises (`UnicodeDecodeError`).
pub fn decode(body: &[u8]) -> Option<TextWithSurrogates> {
    match detect_encoding(body) {
        Encoding::Utf8 { skip } => decode_utf8(&body[skip..]),
        Encoding::Utf16 {
            little_endian,
            skip,
        } => decode_utf16(&body[skip..], little_endian),
        Encoding::Utf32 {
            little_endian,
            skip,
        } => decode_utf32(&body[skip..], little_endian),
    }
}

/// An encoding `json.detect_encoding` may choose, and how many BOM bytes to skip.
enum Encoding {
    Utf8 { skip: usize },
    Utf16 { little_endian: bool, skip: usize },
    Utf32 { little_endian: bool, skip: usize },
}

fn detect_encoding(body: &[u8]) -> Encoding {
    use Encoding::*;
    match body {
        [0xff, 0xfe, 0, 0, ..] => Utf32 {
            little_endian: true,
            skip: 4,
        },
        [0, 0, 0xfe, 0xff, ..] => Utf32 {
            little_endian: false,
            skip: 4,
        },
        [0xff, 0xfe, ..] => Utf16 {
            little_endian: true,
            skip: 2,
        },
        [0xfe, 0xff, ..] => Utf16 {
            little_endian: false,
            skip: 2,
        },
        [0xef, 0xbb, 0xbf, ..] => Utf8 { skip: 3 },
        // Without a BOM, the zero bytes of ASCII text in UTF-16/32 give the encoding away.
        [0, second, ..] if body.len() >= 4 => {
            if *second != 0 {
                Utf16 {
                    little_endian: false,
                    skip: 0,
                }
            } else {
                Utf32 {
                    little_endian: false,
                    skip: 0,
                }
            }
        }
        [_, 0, third, fourth, ..] => {
            if *third != 0 || *fourth != 0 {
                Utf16 {
                    little_endian: true,
                    skip: 0,
                }
            } else {
                Utf32 {
                    little_endian: true,
                    skip: 0,
                }
            }
        }
        [0, _] => Utf16 {
            little_endian: false,
            skip: 0,
        },
        [_, 0] => Utf16 {
            little_endian: true,
            skip: 0,
        },
        _ => Utf8 { skip: 0 },
    }
}

/// UTF-8 where a surrogate's three-byte form (`ED A0..BF 80..BF`) is also accepted.
fn decode_utf8(mut bytes: &[u8]) -> Option<TextWithSurrogates> {
    let mut decoded = TextWithSurrogates::with_capacity(bytes.len());
    loop {
        match std::str::from_utf8(bytes) {
            Ok(rest) => {
                decoded.text.push_str(rest);
                return Some(decoded);
            }
            Err(error) => {
                let valid = error.valid_up_to();
                let (good, rest) = bytes.split_at(valid);
                decoded
                    .text
                    .push_str(std::str::from_utf8(good).expect("validated prefix"));
                let [0xed, second @ 0xa0..=0xbf, third @ 0x80..=0xbf, ..] = rest else {
                    return None;
                };
                decoded.push(0xd000 | (u32::from(second & 0x3f) << 6) | u32::from(third & 0x3f));
                bytes = &rest[3..];
            }
        }
    }
}

fn decode_utf16(bytes: &[u8], little_endian: bool) -> Option<TextWithSurrogates> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let units = bytes.chunks_exact(2).map(|pair| {
        let pair = [pair[0], pair[1]];
        if little_endian {
            u16::from_le_bytes(pair)
        } else {
            u16::from_be_bytes(pair)
        }
    });
    let mut decoded = TextWithSurrogates::with_capacity(bytes.len());
    for unit in char::decode_utf16(units) {
        match unit {
            Ok(character) => decoded.text.push(character),
            Err(lone) => decoded.push(u32::from(lone.unpaired_surrogate())),
        }
    }
    Some(decoded)
}

fn decode_utf32(bytes: &[u8], little_endian: bool) -> Option<TextWithSurrogates> {
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let mut decoded = TextWithSurrogates::with_capacity(bytes.len());
    for quad in bytes.chunks_exact(4) {
        let quad = [quad[0], quad[1], quad[2], quad[3]];
        let code = if little_endian {
            u32::from_le_bytes(quad)
        } else {
            u32::from_be_bytes(quad)
        };
        if char::from_u32(code).is_none() && !(0xd800..0xe000).contains(&code) {
            return None;
        }
        decoded.push(code);
    }
    Some(decoded)
}
