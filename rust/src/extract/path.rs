//! Path parameters: the router already matched them against the percent-decoded path.

/// The value of the path parameter `name`, if the matched template has it.
pub fn lookup<'a>(params: &[(&'a str, &'a str)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(key, _)| *key == name)
        .map(|(_, value)| *value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_matched_parameter_by_name() {
        let params = [("user_id", "7"), ("file_path", "a/b")];
        assert_eq!(lookup(&params, "file_path"), Some("a/b"));
        assert_eq!(lookup(&params, "missing"), None);
    }
}
