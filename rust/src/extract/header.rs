//! Header parameters: looked up case-insensitively (hyper lower-cases names; aliases are
//! lower-cased by the Python side) and decoded as Latin-1, as Starlette does.

use hyper::HeaderMap;

fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&byte| byte as char).collect()
}

/// The first value of header `name`, as Starlette's `Headers.get` returns it.
pub fn first(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).map(|value| latin1(value.as_bytes()))
}

/// Every value of header `name`, one per header line (values are not split on commas).
pub fn all(headers: &HeaderMap, name: &str) -> Vec<String> {
    headers
        .get_all(name)
        .iter()
        .map(|value| latin1(value.as_bytes()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    #[test]
    fn reads_first_and_all_values() {
        let mut headers = HeaderMap::new();
        headers.append("x-token", HeaderValue::from_static("a, b"));
        headers.append("x-token", HeaderValue::from_bytes(b"caf\xe9").unwrap());
        assert_eq!(first(&headers, "x-token").as_deref(), Some("a, b"));
        assert_eq!(
            all(&headers, "x-token"),
            vec!["a, b".to_owned(), "café".to_owned()]
        );
        assert_eq!(first(&headers, "missing"), None);
        assert_eq!(
            first(&headers, "X-Token").as_deref(),
            Some("a, b"),
            "case-insensitive"
        );
    }
}
