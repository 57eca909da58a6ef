//! JSON as Python's `json` module reads and writes it.
//!
//! FastAPI parses request bodies with `json.loads` and renders every response with
//! `json.dumps(ensure_ascii=False, allow_nan=False, separators=(",", ":"))`. To give the
//! same answers without Python, the parser (`parse`) accepts exactly what `json.loads`
//! accepts (NaN and Infinity included, duplicate keys resolved the same way) and fails with
//! the same message at the same character offset; the writer (`write`) produces the same
//! bytes, floats included.

mod decode;
mod parse;
mod value;
mod write;

pub use parse::{parse, ParseFailure, SyntaxError};
pub use value::JsonValue;
pub use write::{write_f64, write_i64, write_str, write_value, NotRenderable};
