//! earful reads a night's contact-center call transcripts and reports what customers complain
//! about again and again, what they wish the product did, and how that differs by segment.
//!
//! The library is laid out as the pipeline it runs, data flowing forward only:
//!
//! ```text
//! ingest -> normalize -> extract -> aggregate -> report
//! ```
//!
//! [`ingest`] finds input files and decodes them into [`model::Call`]s (or rejects),
//! [`normalize`] maps speakers to roles and folds text, [`extract`] finds complaint and idea
//! mentions and scores sentiment per call, [`aggregate`] turns per-call findings into tables with
//! polars, and [`report`] writes CSV, XLSX and a manifest atomically. Only [`app`] knows all five.
#![warn(missing_docs)]

pub mod aggregate;
pub mod app;
pub mod cli;
pub mod config;
pub mod error;
pub mod extract;
pub mod history;
pub mod ingest;
pub mod model;
pub mod normalize;
pub mod report;
pub mod sample;
