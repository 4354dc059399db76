//! Runs the real `factsheet` binary on fixture sites. One test binary (faster to build);
//! one module per command or concern; every fixture goes through `support`.

mod a11y;
mod browser;
mod build;
mod bundled;
mod diagnostics;
mod editors;
mod hostile;
mod http;
mod integrity;
mod limits;
mod links;
mod nav;
mod provenance;
mod publishing;
mod reproducible;
mod reviews;
mod search;
mod serve;
mod site_files;
mod support;
