//! Dataclasses: an object whose keys are the fields; missing required fields are
//! reported with the whole object as input, extra keys are ignored (pydantic's rules).

use super::{Errors, Input, Validator};
use crate::extract::errors::{ErrorKind, LocItem, ValidationError};
use crate::json::JsonValue;
use crate::schema::TypeSpec;
use crate::value::ArgValue;

pub fn instance(
    validator: &Validator<'_>,
    type_index: usize,
    input: Input<'_>,
    errors: &mut Errors<'_>,
) -> Option<ArgValue> {
    let TypeSpec::Dataclass(spec) = &validator.types[type_index] else {
        unreachable!("schema refers to a dataclass");
    };
    let Input::Json(object @ JsonValue::Object(_)) = input else {
        errors.push(ErrorKind::DataclassType(spec.name.clone()), input);
        return None;
    };
    let before = errors.list.len();
    let mut fields = Vec::with_capacity(spec.fields.len());
    for (index, field) in spec.fields.iter().enumerate() {
        match object.get(&field.name) {
            Some(value) => {
                let value = errors.nested(LocItem::Key(field.name.clone()), |errors| {
                    validator.validate(&field.schema, Input::Json(value), errors)
                });
                if let Some(value) = value {
                    fields.push((index, value));
                }
            }
            None if field.required => {
                let mut loc = errors.loc();
                loc.push(LocItem::Key(field.name.clone()));
                errors.list.push(ValidationError {
                    kind: ErrorKind::Missing,
                    loc,
                    input: input.to_error_input(),
                });
            }
            None => {}
        }
    }
    (errors.list.len() == before).then_some(ArgValue::Dataclass { type_index, fields })
}
