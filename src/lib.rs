//! factsheet: a static-site generator for fact sheets whose every claim cites exact,
//! verified passages of its sources.
//!
//! The pipeline runs one way, one module per stage: [`load`] reads the content,
//! [`verify`] checks every quote against its source, [`render`] turns the verified site
//! into pages, [`links`] checks their internal links, [`output`] writes them.
//! [`pipeline`] chains them for the commands in [`cli`]; [`diagnostics`] collects and
//! shows problems in the content, [`error`] the failures of the tool itself.

pub mod cli;
pub mod diagnostics;
pub mod error;
pub mod find;
pub mod init;
#[doc(hidden)]
pub mod invariants;
pub mod links;
pub mod load;
pub mod model;
pub mod output;
pub mod pipeline;
pub mod provenance;
pub mod render;
pub mod schema;
pub mod serve;
pub mod verify;
