//! Runs the real `factsheet` binary on fixture sites. One test binary (faster to build);
//! one module per command or concern; every fixture goes through `support`.

mod browser;
mod build;
mod bundled;
mod diagnostics;
mod editors;
mod http;
mod serve;
mod support;
