//! `list[X]` (with `min_length`/`max_length`) and `dict[str, X]`.

use super::{Errors, Input, Validator};
use crate::extract::errors::{ErrorKind, LocItem};
use crate::json::JsonValue;
use crate::schema::{LengthRules, Schema};
use crate::value::ArgValue;

pub fn list(
    validator: &Validator<'_>,
    items: &Schema,
    length: &LengthRules,
    input: Input<'_>,
    errors: &mut Errors<'_>,
) -> Option<ArgValue> {
    let elements: Vec<Input<'_>> = match input {
        Input::Json(JsonValue::Array(values)) => values.iter().map(Input::Json).collect(),
        Input::Texts(texts) => texts.iter().map(|text| Input::Text(text)).collect(),
        _ => {
            errors.push(ErrorKind::ListType, input);
            return None;
        }
    };
    let actual = elements.len();
    // pydantic checks `max_length` before the items and `min_length` only after them.
    if let Some(max_length) = length.max_length.filter(|&max| actual > max) {
        errors.push(ErrorKind::TooLong { max_length, actual }, input);
        return None;
    }
    let before = errors.list.len();
    let mut values = Vec::with_capacity(actual);
    for (index, element) in elements.into_iter().enumerate() {
        let value = errors.nested(LocItem::Index(index), |errors| {
            validator.validate(items, element, errors)
        });
        values.extend(value);
    }
    if errors.list.len() > before {
        return None;
    }
    if let Some(min_length) = length.min_length.filter(|&min| actual < min) {
        errors.push(ErrorKind::TooShort { min_length, actual }, input);
        return None;
    }
    Some(ArgValue::List(values))
}

pub fn dict(
    validator: &Validator<'_>,
    values: &Schema,
    input: Input<'_>,
    errors: &mut Errors<'_>,
) -> Option<ArgValue> {
    let Input::Json(JsonValue::Object(entries)) = input else {
        errors.push(ErrorKind::DictType, input);
        return None;
    };
    let before = errors.list.len();
    let mut converted = Vec::with_capacity(entries.len());
    for (key, value) in entries {
        let value = errors.nested(LocItem::Key(key.clone()), |errors| {
            validator.validate(values, Input::Json(value), errors)
        });
        if let Some(value) = value {
            converted.push((key.clone(), value));
        }
    }
    (errors.list.len() == before).then_some(ArgValue::Dict(converted))
}
