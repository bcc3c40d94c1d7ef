//! `udvalg`: a Danish municipal committee's plan as data, turned into its meeting papers.
//!
//! The stages are library functions with plain data in and out:
//! [`plan::load`] → [`plan::validate`] → [`documents::catalogue`] → [`render`] → [`output`].
//! Only `main` prints and chooses the exit code. `docs/architecture.md` is the map.

pub mod archive;
pub mod build;
pub mod calendar;
pub mod cli;
pub mod diagnostics;
pub mod documents;
pub mod export;
pub mod hash;
pub mod indexed;
pub mod output;
pub mod package;
pub mod plan;
pub mod publish;
pub mod render;
pub mod status;
pub mod text;
