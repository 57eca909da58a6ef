//! What the fuzz targets share: a small app's route table (every kind of schema, from
//! every source) and the checks made on what the core answers.

use _core::extract::errors::{render_422, ValidationError};
use _core::extract::{extract, Rejection, RequestParts};
use _core::json::{self, JsonValue};
use _core::route_table::{ParamSource, ParamSpec, RouteSpec};
use _core::schema::{
    Bound, DataclassSpec, EnumSpec, EnumValue, FieldSpec, LengthRules, NumberRules, Pattern,
    Schema, StrRules, TypeSpec,
};

/// The Python minor version the table claims (3.13: its JSON messages and depth limit).
pub const PYTHON_MINOR: u32 = 13;

/// Indexes into [`routes`].
pub const USERS: usize = 1;
pub const ITEMS: usize = 2;
pub const TAGS: usize = 5;
pub const RAW: usize = 6;
pub const ANY: usize = 7;

fn int(rules: NumberRules) -> Schema {
    Schema::Int(rules)
}

fn text(min_length: Option<usize>, max_length: Option<usize>, pattern: Option<&str>) -> Schema {
    Schema::Str(StrRules {
        min_length,
        max_length,
        pattern: pattern.map(Pattern::new),
    })
}

fn list(items: Schema, min_length: Option<usize>, max_length: Option<usize>) -> Schema {
    Schema::List {
        items: Box::new(items),
        length: LengthRules {
            min_length,
            max_length,
        },
    }
}

fn nullable(inner: Schema) -> Schema {
    Schema::Nullable {
        inner: Box::new(inner),
    }
}

fn param(name: &str, source: ParamSource, schema: Schema, required: bool) -> ParamSpec {
    ParamSpec::new(name, source, schema, required)
}

/// `Color(str, Enum)`, `Level(IntEnum)`, `Part` and `Item` dataclasses (an `Item` holds
/// parts and an optional parent `Part`).
pub fn types() -> Vec<TypeSpec> {
    let field = |name: &str, schema: Schema, required: bool| FieldSpec {
        name: name.into(),
        schema,
        required,
    };
    vec![
        TypeSpec::Enum(EnumSpec {
            module: "app".into(),
            main_module: None,
            qualname: "Color".into(),
            values: vec![EnumValue::Str("red".into()), EnumValue::Str("green".into())],
            int_subclass: false,
            expected: "'red' or 'green'".into(),
        }),
        TypeSpec::Enum(EnumSpec {
            module: "app".into(),
            main_module: None,
            qualname: "Level".into(),
            values: vec![EnumValue::Int(1), EnumValue::Int(2), EnumValue::Int(-3)],
            int_subclass: true,
            expected: "1, 2 or -3".into(),
        }),
        TypeSpec::Dataclass(DataclassSpec {
            module: "app".into(),
            main_module: None,
            qualname: "Part".into(),
            name: "Part".into(),
            fields: vec![
                field("sku", text(Some(1), Some(8), Some(r"^[A-Z]{2}\d+$")), true),
                field("qty", int(bounds(Some(0), None, None, Some(1000))), false),
                field("color", Schema::Enum { type_index: 0 }, false),
            ],
        }),
        TypeSpec::Dataclass(DataclassSpec {
            module: "app".into(),
            main_module: None,
            qualname: "Item".into(),
            name: "Item".into(),
            fields: vec![
                field("name", text(None, Some(20), None), true),
                field(
                    "price",
                    Schema::Float(NumberRules {
                        gt: Some(Bound::Int(0)),
                        lt: Some(Bound::Float(1e9)),
                        ..Default::default()
                    }),
                    true,
                ),
                field("tags", list(text(None, None, None), None, Some(3)), false),
                field(
                    "attrs",
                    Schema::Dict {
                        values: Box::new(int(NumberRules::default())),
                    },
                    false,
                ),
                field(
                    "parts",
                    list(Schema::Dataclass { type_index: 2 }, Some(1), None),
                    false,
                ),
                field(
                    "parent",
                    nullable(Schema::Dataclass { type_index: 2 }),
                    false,
                ),
                field("level", Schema::Enum { type_index: 1 }, false),
                field("id", Schema::Uuid, false),
                field("when", Schema::Datetime, false),
                field("day", Schema::Date, false),
                field("ok", Schema::Bool, false),
                field("blob", Schema::Bytes(LengthRules::default()), false),
                field("extra", Schema::Any, false),
            ],
        }),
    ]
}

fn bounds(gt: Option<i64>, ge: Option<i64>, lt: Option<i64>, le: Option<i64>) -> NumberRules {
    NumberRules {
        gt: gt.map(Bound::Int),
        ge: ge.map(Bound::Int),
        lt: lt.map(Bound::Int),
        le: le.map(Bound::Int),
    }
}

/// The app's routes; index them with the constants above.
pub fn routes() -> Vec<RouteSpec> {
    use ParamSource::{Body, Cookie, Header, Path, Query};
    let mut limit = param(
        "limit",
        Query,
        int(bounds(Some(0), None, None, Some(100))),
        false,
    );
    limit.default_from_marker = true;
    let mut embedded = RouteSpec::new(
        &["PUT"],
        "/items/{item_id}/tags/{tag}",
        "tag_item",
        vec![
            param(
                "item_id",
                Path,
                int(bounds(None, Some(1), None, None)),
                true,
            ),
            param("tag", Path, Schema::Enum { type_index: 0 }, true),
            param("name", Body, text(Some(1), None, None), true),
            param("count", Body, nullable(int(NumberRules::default())), false),
        ],
    );
    embedded.embed_body = true;
    vec![
        RouteSpec::new(&["GET"], "/", "root", vec![]),
        RouteSpec::new(
            &["GET"],
            "/users/{user_id:int}",
            "read_user",
            vec![
                param(
                    "user_id",
                    Path,
                    int(bounds(None, Some(1), None, None)),
                    true,
                ),
                param("q", Query, text(Some(2), Some(10), Some("^[a-z]+$")), false),
                limit,
                param(
                    "tags",
                    Query,
                    list(int(NumberRules::default()), None, Some(4)),
                    false,
                ),
                param(
                    "ratio",
                    Query,
                    Schema::Float(NumberRules {
                        ge: Some(Bound::Float(-1.5)),
                        lt: Some(Bound::Float(1.5)),
                        ..Default::default()
                    }),
                    false,
                ),
                param("flag", Query, Schema::Bool, false),
                param("id", Query, Schema::Uuid, false),
                param("when", Query, Schema::Datetime, false),
                param("day", Query, Schema::Date, false),
                param("color", Query, Schema::Enum { type_index: 0 }, false),
                param(
                    "level",
                    Query,
                    nullable(Schema::Enum { type_index: 1 }),
                    false,
                ),
                param(
                    "levels",
                    Query,
                    list(Schema::Enum { type_index: 1 }, Some(1), None),
                    false,
                ),
                param(
                    "raw",
                    Query,
                    Schema::Bytes(LengthRules {
                        min_length: Some(1),
                        max_length: Some(5),
                    }),
                    false,
                ),
                param("anything", Query, Schema::Any, false),
                param("x-token", Header, text(Some(3), None, None), false),
                param(
                    "x-count",
                    Header,
                    list(int(NumberRules::default()), None, None),
                    false,
                ),
                param("x-when", Header, Schema::Date, false),
                param("session", Cookie, int(NumberRules::default()), false),
                param("theme", Cookie, Schema::Enum { type_index: 0 }, false),
            ],
        ),
        RouteSpec::new(
            &["POST"],
            "/items/",
            "create_item",
            vec![
                param("item", Body, Schema::Dataclass { type_index: 3 }, true),
                param("dry_run", Query, Schema::Bool, false),
            ],
        ),
        RouteSpec::new(&["GET", "POST"], "/multi", "multi", vec![]),
        RouteSpec::new(
            &["GET"],
            "/files/{rest:path}",
            "read_file",
            vec![param("rest", Path, text(None, Some(30), None), true)],
        ),
        embedded,
        RouteSpec::new(
            &["POST"],
            "/raw",
            "raw",
            vec![param(
                "data",
                Body,
                Schema::Bytes(LengthRules::default()),
                true,
            )],
        ),
        RouteSpec::new(
            &["POST", "PATCH"],
            "/any/{a}/{b}",
            "anything",
            vec![
                param("a", Path, Schema::Uuid, true),
                param("b", Path, Schema::Datetime, true),
                param("payload", Body, nullable(Schema::Any), false),
            ],
        ),
    ]
}

/// Runs the extractors on one request, and checks that a 422 is rendered as valid JSON.
pub fn extract_and_check(route: &RouteSpec, types: &[TypeSpec], parts: &RequestParts<'_>) {
    match extract(route, types, PYTHON_MINOR, parts) {
        Ok(args) => assert!(args.len() <= route.params.len()),
        Err(Rejection::Invalid(errors)) => check_422(&errors),
        Err(Rejection::UnreadableBody) => {}
    }
}

/// A 422 body, when FastAPI could render it (not NaN, not lone surrogates), is one JSON
/// object `{"detail": [...]}` with one item per error.
pub fn check_422(errors: &[ValidationError]) {
    assert!(!errors.is_empty(), "a 422 without errors");
    let Ok(body) = render_422(errors) else {
        return;
    };
    let parsed = json::parse(&body, PYTHON_MINOR)
        .unwrap_or_else(|error| panic!("422 body is not JSON ({error:?}): {body:?}"));
    let JsonValue::Object(entries) = &parsed else {
        panic!("422 body is not an object: {parsed:?}");
    };
    match entries.as_slice() {
        [(key, JsonValue::Array(items))] if key == "detail" => {
            assert_eq!(items.len(), errors.len(), "one item per error")
        }
        _ => panic!("422 body is not {{\"detail\": [...]}}: {parsed:?}"),
    }
}

/// Splits fuzz input into lines (by `\n`), as text with invalid UTF-8 replaced.
pub fn lines(data: &[u8]) -> Vec<String> {
    data.split(|&byte| byte == b'\n')
        .map(|line| String::from_utf8_lossy(line).into_owned())
        .collect()
}
