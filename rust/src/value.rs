//! Validated values on their way to a worker: plain data, turned into Python objects by
//! the worker inside its own interpreter (`interpreter::build`).

/// One validated value.
#[derive(Debug, Clone, PartialEq)]
pub enum ArgValue {
    None,
    Bool(bool),
    Int(i64),
    /// An integer beyond `i64`, as canonical decimal digits with an optional `-`.
    BigInt(String),
    Float(f64),
    Str(String),
    /// A `str` with lone surrogates, as WTF-8 (UTF-8 that also encodes surrogates).
    SurrogateStr(Vec<u8>),
    Bytes(Vec<u8>),
    Uuid(u128),
    Date(DateValue),
    DateTime(DateTimeValue),
    /// Member `member` (definition order) of the enum at `type_index` in the table.
    EnumMember {
        type_index: usize,
        member: usize,
    },
    List(Vec<ArgValue>),
    Dict(Vec<(String, ArgValue)>),
    /// The dataclass at `type_index`, built with the given fields (by index into its
    /// spec's fields); fields left out take the dataclass's own defaults.
    Dataclass {
        type_index: usize,
        fields: Vec<(usize, ArgValue)>,
    },
    /// A body for the pydantic model at `type_index`, still to be validated by pydantic.
    Model {
        type_index: usize,
        value: Box<ArgValue>,
    },
    /// The parameter's default as written in its marker (`Query(5)`), which the worker
    /// holds.
    MarkerDefault,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateValue {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateTimeValue {
    pub date: DateValue,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    pub microsecond: u32,
    /// Seconds east of UTC; `None` for a naive datetime.
    pub utc_offset: Option<i32>,
}

/// One step from a parameter's value to a nested one: a list index or a dict key / field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathStep {
    Index(usize),
    Key(String),
}

/// A dataclass whose `__post_init__` refused its values: pydantic's `value_error` (or
/// `assertion_error`), at `path` inside the parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub path: Vec<PathStep>,
    pub assertion: bool,
    /// `str()` of the exception.
    pub message: String,
    /// The exception's attributes (`vars(exc)`) as JSON, which FastAPI shows as the error's
    /// `ctx.error`; `{}` for a plain exception.
    pub attributes_json: String,
}

/// A [`Refusal`] in the argument of parameter `param`; it travels back from the worker to
/// the I/O side, which turns it into a 422 error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgRefusal {
    pub param: usize,
    pub refusal: Refusal,
}
