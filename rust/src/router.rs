//! Routing with matchit, answering unmatched requests the way Starlette's router does.
//!
//! Starlette tries routes in order: a full match (path and method) wins; otherwise the first
//! route whose path matched decides a 405 and its `Allow`; otherwise, if the same path with
//! its trailing slash flipped would match, a 307 redirect; otherwise 404. matchit has no
//! slash-redirect hint, so the flipped path is tried here.

use std::collections::HashMap;

use crate::route_table::RouteSpec;

/// What the router decided for one request.
#[derive(Debug, PartialEq)]
pub enum RouteMatch<'path> {
    Found {
        route: usize,
        /// Path parameters by name, borrowed from the (decoded) request path.
        params: Vec<(&'path str, &'path str)>,
    },
    MethodNotAllowed {
        /// The `Allow` header: the methods of the first route whose path matched.
        allow: String,
    },
    /// The same path with its trailing slash flipped would match.
    RedirectSlash {
        path: String,
    },
    NotFound,
}

pub struct Router {
    by_method: HashMap<String, matchit::Router<Target>>,
    allow_by_route: Vec<String>,
}

/// What a matchit template leads to.
#[derive(Debug, Clone)]
struct Target {
    route: usize,
    /// Set on the extra template that lets a trailing `{name:path}` match nothing (Starlette
    /// matches `/files/` for `/files/{p:path}` with `p == ""`; matchit's `{*p}` needs at
    /// least one character): the parameter that is then empty.
    empty_catch_all: Option<String>,
}

impl Router {
    /// Builds one matchit tree per method. Routes are inserted in declaration order; a later
    /// route whose shape an earlier one already claims is unreachable in FastAPI too (the
    /// first match wins there), so it is skipped with a warning rather than refused.
    pub fn new(routes: &[RouteSpec]) -> Self {
        let mut by_method: HashMap<String, matchit::Router<Target>> = HashMap::new();
        for (id, route) in routes.iter().enumerate() {
            let template = to_matchit_template(&route.path);
            let mut templates = vec![(
                template.clone(),
                Target {
                    route: id,
                    empty_catch_all: None,
                },
            )];
            if let Some((prefix, name)) = split_trailing_catch_all(&template) {
                let target = Target {
                    route: id,
                    empty_catch_all: Some(name.to_owned()),
                };
                templates.push((prefix.to_owned(), target));
            }
            for method in &route.methods {
                let tree = by_method.entry(method.clone()).or_default();
                for (template, target) in &templates {
                    if let Err(error) = tree.insert(template.clone(), target.clone()) {
                        tracing::warn!(
                            "route {method} {} ({}) is unreachable and was skipped: {error}",
                            route.path,
                            route.endpoint()
                        );
                    }
                }
            }
        }
        let allow_by_route = routes.iter().map(|r| r.methods.join(", ")).collect();
        Router {
            by_method,
            allow_by_route,
        }
    }

    /// Routes a request whose path is already percent-decoded.
    pub fn resolve<'a>(&'a self, method: &str, path: &'a str) -> RouteMatch<'a> {
        if let Some(found) = self
            .by_method
            .get(method)
            .and_then(|tree| tree.at(path).ok())
        {
            let mut params: Vec<(&str, &str)> = found.params.iter().collect();
            if let Some(name) = &found.value.empty_catch_all {
                params.push((name, ""));
            }
            return RouteMatch::Found {
                route: found.value.route,
                params,
            };
        }
        if let Some(route) = self.first_route_matching_any_method(path) {
            return RouteMatch::MethodNotAllowed {
                allow: self.allow_by_route[route].clone(),
            };
        }
        if path != "/" {
            let flipped = match path.strip_suffix('/') {
                Some(stripped) => stripped.to_owned(),
                None => format!("{path}/"),
            };
            if self.first_route_matching_any_method(&flipped).is_some() {
                return RouteMatch::RedirectSlash { path: flipped };
            }
        }
        RouteMatch::NotFound
    }

    fn first_route_matching_any_method(&self, path: &str) -> Option<usize> {
        self.by_method
            .values()
            .filter_map(|tree| tree.at(path).ok().map(|found| found.value.route))
            .min()
    }
}

/// `/files/{*path}` → `("/files/", "path")`.
fn split_trailing_catch_all(template: &str) -> Option<(&str, &str)> {
    let start = template.rfind("{*")?;
    let name = template[start + 2..].strip_suffix('}')?;
    Some((&template[..start], name))
}

/// FastAPI's `{name:path}` is matchit's catch-all `{*name}`; other converters match one
/// segment, like a plain `{name}`.
fn to_matchit_template(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        out.push_str(&rest[..open]);
        let inner = &rest[open + 1..open + close];
        match inner.split_once(':') {
            Some((name, "path")) => out.push_str(&format!("{{*{name}}}")),
            Some((name, _)) => out.push_str(&format!("{{{name}}}")),
            None => out.push_str(&format!("{{{inner}}}")),
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(methods: &[&str], path: &str) -> RouteSpec {
        RouteSpec::new(methods, path, "f", vec![])
    }

    fn router() -> Router {
        Router::new(&[
            route(&["GET"], "/"),
            route(&["GET"], "/users/{user_id}"),
            route(&["POST"], "/items/"),
            route(&["GET", "POST"], "/multi"),
            route(&["GET"], "/files/{rest:path}"),
        ])
    }

    #[test]
    fn resolves_like_starlette() {
        let router = router();
        let cases = [
            (
                "GET",
                "/",
                RouteMatch::Found {
                    route: 0,
                    params: vec![],
                },
            ),
            (
                "GET",
                "/users/7",
                RouteMatch::Found {
                    route: 1,
                    params: vec![("user_id", "7")],
                },
            ),
            (
                "POST",
                "/users/7",
                RouteMatch::MethodNotAllowed {
                    allow: "GET".into(),
                },
            ),
            (
                "PUT",
                "/multi",
                RouteMatch::MethodNotAllowed {
                    allow: "GET, POST".into(),
                },
            ),
            (
                "GET",
                "/users/7/",
                RouteMatch::RedirectSlash {
                    path: "/users/7".into(),
                },
            ),
            (
                "POST",
                "/items",
                RouteMatch::RedirectSlash {
                    path: "/items/".into(),
                },
            ),
            (
                "GET",
                "/items/",
                RouteMatch::MethodNotAllowed {
                    allow: "POST".into(),
                },
            ),
            (
                "GET",
                "/items",
                RouteMatch::RedirectSlash {
                    path: "/items/".into(),
                },
            ),
            ("GET", "/nope", RouteMatch::NotFound),
            ("GET", "/users/", RouteMatch::NotFound),
            (
                "GET",
                "/files/a/b.txt",
                RouteMatch::Found {
                    route: 4,
                    params: vec![("rest", "a/b.txt")],
                },
            ),
            (
                "GET",
                "/files/",
                RouteMatch::Found {
                    route: 4,
                    params: vec![("rest", "")],
                },
            ),
            (
                "GET",
                "/files",
                RouteMatch::RedirectSlash {
                    path: "/files/".into(),
                },
            ),
        ];
        for (method, path, expected) in cases {
            assert_eq!(router.resolve(method, path), expected, "{method} {path}");
        }
    }

    #[test]
    fn first_of_two_same_shaped_routes_wins() {
        let router = Router::new(&[route(&["GET"], "/a/{x}"), route(&["GET"], "/a/{y}")]);
        assert_eq!(
            router.resolve("GET", "/a/1"),
            RouteMatch::Found {
                route: 0,
                params: vec![("x", "1")]
            }
        );
    }
}
