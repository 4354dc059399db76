//! One renderer per output format of diagnostics: `human` (code frames for a terminal)
//! and `json` (the object `check --format json` prints, fixed by the format contract).

pub mod human;
pub mod json;

pub use human::{HumanOptions, render_human};
pub use json::render_json;
