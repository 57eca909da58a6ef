//! Path parameters: the router already matched them against the percent-decoded path.

/// The value of the path parameter `name`, if the matched template has it.
pub fn lookup<'a>(params: &[(&'a str, &'a str)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(key, _)| *key == name)
        .map(|(_, value)| *value)
}
