//! The tool's own failures (I/O, bad usage), kept apart from problems in the content:
//! these stop the run with exit code 2, and every file error names its path.

use std::io;
use std::path::{Path, PathBuf};

/// A failure of the tool rather than of the content.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    #[error("cannot read `{}`: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("cannot write `{}`: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error("{}", problem.describe(path))]
    InvalidOutput {
        path: PathBuf,
        problem: crate::output::OutputProblem,
    },
    #[error("cannot listen on {address}: {source}")]
    Listen {
        address: std::net::SocketAddr,
        source: io::Error,
    },
    #[error("{0}")]
    Usage(String),
    #[error("cannot build the search index: {0}")]
    Search(String),
}

impl ToolError {
    /// A stable name for the failure, as diagnostics have.
    pub fn code(&self) -> &'static str {
        match self {
            ToolError::Read { .. } | ToolError::Write { .. } => "io-error",
            ToolError::InvalidOutput { .. } => "invalid-output-dir",
            ToolError::Listen { source, .. } if source.kind() == io::ErrorKind::AddrInUse => {
                "address-in-use"
            }
            ToolError::Listen { .. } => "cannot-listen",
            ToolError::Usage(_) => "usage",
            ToolError::Search(_) => "search-index",
        }
    }

    /// What the user can do about it.
    pub fn help(&self) -> Option<&'static str> {
        match self {
            ToolError::InvalidOutput { .. } => Some(
                "pass `--output DIR` with a new or empty directory, or one a previous build wrote",
            ),
            ToolError::Listen { source, .. } if source.kind() == io::ErrorKind::AddrInUse => Some(
                "another program (another `factsheet serve`?) uses that port: pass `--port N` for another one, or `--port 0` for any free one",
            ),
            ToolError::Listen { .. } => {
                Some("pass `--bind` an address of this machine, e.g. 127.0.0.1")
            }
            _ => None,
        }
    }

    pub fn read(path: &Path) -> impl FnOnce(io::Error) -> ToolError + '_ {
        move |source| ToolError::Read {
            path: path.to_path_buf(),
            source,
        }
    }

    pub fn write(path: &Path) -> impl FnOnce(io::Error) -> ToolError + '_ {
        move |source| ToolError::Write {
            path: path.to_path_buf(),
            source,
        }
    }
}

pub type ToolResult<T> = Result<T, ToolError>;
