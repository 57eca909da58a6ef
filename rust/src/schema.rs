//! What a parameter's value must be: the schemas the Python package derives from type hints
//! (`fasterapi/schema.py`) and the enums and dataclasses they refer to.
//!
//! Plain data, deserialized once at startup; patterns are compiled then, so a bad one stops
//! the server before it serves anything.

use serde::{Deserialize, Deserializer};

use crate::route_table::Placement;

/// A value type and its constraints.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Schema {
    Int(NumberRules),
    Float(NumberRules),
    Str(StrRules),
    Bool,
    Bytes(LengthRules),
    Uuid,
    Datetime,
    Date,
    Any,
    Enum {
        #[serde(rename = "ref")]
        type_index: usize,
    },
    Dataclass {
        #[serde(rename = "ref")]
        type_index: usize,
    },
    /// A pydantic model: the JSON value travels as received and pydantic validates it in
    /// the worker (such routes always run on the main interpreter).
    Model {
        #[serde(rename = "ref")]
        type_index: usize,
    },
    List {
        items: Box<Schema>,
        #[serde(flatten)]
        length: LengthRules,
    },
    Dict {
        values: Box<Schema>,
    },
    Nullable {
        inner: Box<Schema>,
    },
}

/// A bound of `gt`/`ge`/`lt`/`le`, as written in the handler (Python normalises it to the
/// field's type, as pydantic does: `5.0` on an int field is `5`).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Bound {
    Int(i64),
    Float(f64),
}

impl Bound {
    pub fn as_f64(self) -> f64 {
        match self {
            Bound::Int(value) => value as f64,
            Bound::Float(value) => value,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct NumberRules {
    pub gt: Option<Bound>,
    pub ge: Option<Bound>,
    pub lt: Option<Bound>,
    pub le: Option<Bound>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct LengthRules {
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct StrRules {
    pub min_length: Option<usize>,
    pub max_length: Option<usize>,
    #[serde(default, deserialize_with = "compile_pattern")]
    pub pattern: Option<Pattern>,
}

/// A `pattern=` constraint: pydantic uses Rust's `regex` crate with search semantics, so
/// the same crate gives the same matches.
#[derive(Debug, Clone)]
pub struct Pattern {
    pub source: String,
    /// Compiled when the table is read; an invalid pattern is reported, with the route it
    /// belongs to, by `RouteTable::prepare` before anything is served.
    compiled: Result<regex::Regex, String>,
}

impl Pattern {
    pub fn new(source: &str) -> Self {
        let compiled = regex::Regex::new(source).map_err(|error| {
            // The regex crate explains over several lines; its last line is the reason.
            let text = error.to_string();
            text.lines().last().unwrap_or_default().trim().to_owned()
        });
        Pattern {
            source: source.to_owned(),
            compiled,
        }
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.compiled
            .as_ref()
            .is_ok_and(|regex| regex.is_match(text))
    }

    /// Why the pattern does not compile, if it does not.
    pub fn error(&self) -> Option<&str> {
        self.compiled.as_ref().err().map(String::as_str)
    }
}

fn compile_pattern<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Pattern>, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.map(|source| Pattern::new(&source)))
}

impl Schema {
    /// The first `pattern=` in this schema (not following dataclass references) that does
    /// not compile, with the reason.
    pub fn invalid_pattern(&self) -> Option<(&str, &str)> {
        match self {
            Schema::Str(StrRules {
                pattern: Some(pattern),
                ..
            }) => pattern
                .error()
                .map(|error| (pattern.source.as_str(), error)),
            Schema::List { items, .. } => items.invalid_pattern(),
            Schema::Dict { values } => values.invalid_pattern(),
            Schema::Nullable { inner } => inner.invalid_pattern(),
            _ => None,
        }
    }

    /// Calls `visit` with every type index this schema refers to directly (not through
    /// the dataclasses it names).
    pub fn for_each_type(&self, visit: &mut impl FnMut(usize)) {
        match self {
            Schema::Enum { type_index }
            | Schema::Dataclass { type_index }
            | Schema::Model { type_index } => visit(*type_index),
            Schema::List { items, .. } => items.for_each_type(visit),
            Schema::Dict { values } => values.for_each_type(visit),
            Schema::Nullable { inner } => inner.for_each_type(visit),
            _ => {}
        }
    }
}

/// An enum or dataclass that schemas refer to by index; each worker imports the class by
/// module and qualified name.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum TypeSpec {
    Enum(EnumSpec),
    Dataclass(DataclassSpec),
    Model(ModelSpec),
}

impl TypeSpec {
    pub fn module(&self) -> &str {
        match self {
            TypeSpec::Enum(spec) => &spec.module,
            TypeSpec::Dataclass(spec) => &spec.module,
            TypeSpec::Model(spec) => &spec.module,
        }
    }

    /// The module to import the class from in the interpreters at `placement`.
    pub fn module_at(&self, placement: Placement) -> &str {
        let main_module = match self {
            TypeSpec::Enum(spec) => &spec.main_module,
            TypeSpec::Dataclass(spec) => &spec.main_module,
            TypeSpec::Model(spec) => &spec.main_module,
        };
        placement.module(self.module(), main_module.as_deref())
    }

    pub fn qualname(&self) -> &str {
        match self {
            TypeSpec::Enum(spec) => &spec.qualname,
            TypeSpec::Dataclass(spec) => &spec.qualname,
            TypeSpec::Model(spec) => &spec.qualname,
        }
    }
}

/// A pydantic model class, validated by pydantic itself in the worker.
#[derive(Debug, Clone, Deserialize)]
pub struct ModelSpec {
    pub module: String,
    /// Its module's name in the main interpreter (`__main__` for a script).
    #[serde(default)]
    pub main_module: Option<String>,
    pub qualname: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct EnumSpec {
    pub module: String,
    /// Its module's name in the main interpreter (`__main__` for a script).
    #[serde(default)]
    pub main_module: Option<String>,
    pub qualname: String,
    /// The members' values, in definition order (the worker's `list(cls)` order).
    pub values: Vec<EnumValue>,
    /// An `int` subclass (`IntEnum`): text such as `"1"` is parsed as an integer first.
    pub int_subclass: bool,
    /// pydantic's rendering of the allowed values, e.g. `'a', 'b' or 'c'`.
    pub expected: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum EnumValue {
    Int(i64),
    Str(String),
}

#[derive(Debug, Clone, Deserialize)]
pub struct DataclassSpec {
    pub module: String,
    /// Its module's name in the main interpreter (`__main__` for a script).
    #[serde(default)]
    pub main_module: Option<String>,
    pub qualname: String,
    /// The class's `__name__`, which pydantic puts in `dataclass_type` errors.
    pub name: String,
    pub fields: Vec<FieldSpec>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct FieldSpec {
    pub name: String,
    pub schema: Schema,
    pub required: bool,
}
