//! A parsed JSON document, holding what Python's `json.loads` would build.

/// One JSON value. Objects keep their keys in first-seen order with the last value given
/// for a repeated key, as a Python `dict` built by `json.loads` does.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonValue {
    Null,
    Bool(bool),
    Int(i64),
    /// An integer beyond `i64`, as its literal digits (with an optional `-`).
    BigInt(String),
    Float(f64),
    Str(String),
    /// A string holding lone surrogates (`"\ud800"`), which Python keeps in a `str` but
    /// UTF-8 cannot hold: `lossy` has U+FFFD in their place (for validation), `wtf8` the
    /// surrogates themselves (for the handler's `str`, decoded with `surrogatepass`).
    LoneSurrogates {
        lossy: String,
        wtf8: Vec<u8>,
    },
    Array(Vec<JsonValue>),
    Object(Vec<(String, JsonValue)>),
}

impl JsonValue {
    /// The value under `key` of an object.
    pub fn get(&self, key: &str) -> Option<&JsonValue> {
        match self {
            JsonValue::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}
