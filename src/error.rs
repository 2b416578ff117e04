//! The run's error type and the exit codes a scheduler sees.
//!
//! Every stage has its own error enum; [`Error`] gathers them so that `main` maps each to one
//! exit code with one meaning.

use crate::aggregate::AggregateError;
use crate::config::ConfigError;
use crate::extract::TaxonomyError;
use crate::report::ReportError;

/// Exit codes, one meaning each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// The report was written.
    Success = 0,
    /// Anything else went wrong (I/O, a full disk, a bug).
    Failure = 1,
    /// The command line, config or taxonomy is wrong: fix the invocation, not the data.
    Usage = 2,
    /// The report was written, but more records were rejected than `--max-reject-rate` allows.
    TooManyRejects = 3,
}

/// Why a run failed as a whole. Bad records never cause this: they are rejected and counted.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The config file is unreadable or invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The taxonomy file is unreadable or invalid.
    #[error(transparent)]
    Taxonomy(#[from] TaxonomyError),
    /// The phrases could not be compiled.
    #[error("taxonomy: cannot compile phrases: {0}")]
    Matcher(#[from] aho_corasick::BuildError),
    /// The report could not be written.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// Aggregation failed.
    #[error(transparent)]
    Aggregate(#[from] AggregateError),
    /// The history folder could not be read or written.
    #[error(transparent)]
    History(#[from] crate::history::HistoryError),
    /// The `--metadata` file cannot be joined.
    #[error(transparent)]
    Metadata(#[from] crate::ingest::join::JoinError),
    /// A usage problem found after argument parsing.
    #[error("{0}")]
    Usage(String),
    /// Something else.
    #[error("{0}")]
    Other(String),
}

impl Error {
    /// The exit code for this error.
    pub fn exit(&self) -> Exit {
        match self {
            Error::Config(_) | Error::Taxonomy(_) | Error::Matcher(_) | Error::Metadata(_) | Error::Usage(_) => {
                Exit::Usage
            }
            Error::Report(ReportError::NotAReport(_)) => Exit::Usage,
            _ => Exit::Failure,
        }
    }
}
