//! One renderer per output format of diagnostics: `human` (code frames for a terminal)
//! and `json` (the object `check --format json` prints, fixed by the format contract);
//! `terminal` keeps what the content holds from being interpreted by a terminal.

pub mod human;
pub mod json;
pub mod terminal;

pub use human::{HumanOptions, render_human};
pub use json::render_json;
