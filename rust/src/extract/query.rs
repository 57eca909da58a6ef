//! Query parameters, decoded the way Starlette's `parse_qsl(keep_blank_values=True)` does:
//! `&`-separated pairs, `+` as space, percent-decoding with invalid UTF-8 replaced.

use std::borrow::Cow;

pub struct QueryParams<'a> {
    pairs: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

impl<'a> QueryParams<'a> {
    pub fn parse(query: Option<&'a str>) -> Self {
        let pairs = query
            .map(|q| form_urlencoded::parse(q.as_bytes()).collect())
            .unwrap_or_default();
        QueryParams { pairs }
    }

    /// The last value given for `key`, as FastAPI uses for a single-valued parameter.
    pub fn last(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_ref())
    }

    /// Every value given for `key`, in order (a `list[...]` parameter).
    pub fn all(&self, key: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone().into_owned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_like_parse_qsl() {
        let query = QueryParams::parse(Some("q=a%20b+c&empty=&flag&q2=%E2%82%AC&bad=%FF&q=2"));
        assert_eq!(query.last("q"), Some("2"));
        assert_eq!(query.all("q"), vec!["a b c".to_owned(), "2".to_owned()]);
        assert_eq!(query.last("empty"), Some(""));
        assert_eq!(query.last("flag"), Some(""));
        assert_eq!(query.last("q2"), Some("€"));
        assert_eq!(query.last("bad"), Some("\u{fffd}"));
        assert_eq!(query.last("missing"), None);
        assert!(query.all("missing").is_empty());
    }
}
