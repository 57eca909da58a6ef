//! Cookie parameters from the first `Cookie` header, as Starlette reads them: pairs split
//! by the `cookie` crate, the last of repeated names wins, and a quoted value is unquoted
//! with Python's `http.cookies` rules (no percent-decoding).

use std::collections::HashMap;

use hyper::header::COOKIE;
use hyper::HeaderMap;

pub struct Cookies {
    values: HashMap<String, String>,
}

impl Cookies {
    pub fn parse(headers: &HeaderMap) -> Self {
        let mut values = HashMap::new();
        if let Some(header) = headers.get(COOKIE) {
            let text: String = header.as_bytes().iter().map(|&byte| byte as char).collect();
            for cookie in cookie::Cookie::split_parse(text).flatten() {
                values.insert(cookie.name().to_owned(), unquote(cookie.value()));
            }
        }
        Cookies { values }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }
}

/// `http.cookies._unquote`: strips surrounding double quotes and decodes `\"`, `\\` and
/// three-digit octal escapes inside them.
fn unquote(value: &str) -> String {
    let quoted = value.len() >= 2 && value.starts_with('"') && value.ends_with('"');
    if !quoted {
        return value.to_owned();
    }
    let inner: Vec<char> = value[1..value.len() - 1].chars().collect();
    let mut out = String::with_capacity(inner.len());
    let mut index = 0;
    while index < inner.len() {
        if inner[index] != '\\' || index + 1 == inner.len() {
            out.push(inner[index]);
            index += 1;
            continue;
        }
        let octal: Option<u32> = inner.get(index + 1..index + 4).and_then(|digits| {
            let first_ok = ('0'..='3').contains(&digits[0]);
            let rest_ok = digits[1..].iter().all(|d| ('0'..='7').contains(d));
            (first_ok && rest_ok).then(|| {
                digits
                    .iter()
                    .fold(0, |acc, d| acc * 8 + d.to_digit(8).unwrap_or(0))
            })
        });
        match octal.and_then(char::from_u32) {
            Some(character) => {
                out.push(character);
                index += 4;
            }
            None => {
                out.push(inner[index + 1]);
                index += 2;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    fn cookies(header: &'static str) -> Cookies {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static(header));
        Cookies::parse(&headers)
    }

    #[test]
    fn parses_like_starlette() {
        let jar =
            cookies("a=1; session=2; session=3; quoted=\"a b\"; esc=\"x\\\"y\\101\"; pct=%41");
        assert_eq!(jar.get("a"), Some("1"));
        assert_eq!(jar.get("session"), Some("3"));
        assert_eq!(jar.get("quoted"), Some("a b"));
        assert_eq!(jar.get("esc"), Some("x\"yA"));
        assert_eq!(jar.get("pct"), Some("%41"));
        assert_eq!(jar.get("missing"), None);
    }
}
