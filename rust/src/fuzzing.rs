//! What the fuzz targets (`rust/fuzz`, see `docs/fuzzing.md`) need beyond the modules that
//! are already public for the benchmarks: the responses the I/O side builds without a
//! worker. Not an API.

pub use crate::body::ResponseBody;
pub use crate::response::{
    body_unreadable, method_not_allowed, not_found, redirect_slash, validation_failed, HttpResponse,
};
