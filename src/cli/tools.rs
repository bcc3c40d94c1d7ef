//! A hidden helper for the benchmark in bench/: each document's view as a JSON file with its
//! template, so that the typst CLI can render the same documents.

use std::fmt::Write;
use std::path::PathBuf;

use super::{GlobalArgs, Outcome, UsageError, load_plan};
use crate::documents::{Selection, catalogue};

#[derive(Debug, clap::Args)]
pub struct ViewsArgs {
    /// Where the views are written: DIR/views/N.json and DIR/jobs.tsv.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
}

/// Writes every document's view and a list of jobs: template, view, output path.
pub fn views(global: &GlobalArgs, args: &ViewsArgs) -> Result<Outcome, UsageError> {
    let (plan, _) = match load_plan(global)? {
        Ok(ok) => ok,
        Err(failed) => return Ok(failed),
    };
    let documents = catalogue(&plan, &Selection::default()).documents;
    let system =
        |e: std::io::Error| UsageError(format!("cannot write {}: {e}", args.dir.display()));
    std::fs::create_dir_all(args.dir.join("views")).map_err(system)?;
    let mut jobs = String::new();
    for (n, doc) in documents.iter().enumerate() {
        std::fs::write(args.dir.join(format!("views/{n}.json")), doc.json()).map_err(system)?;
        let _ = writeln!(
            jobs,
            "{}\t/views/{n}.json\t{}",
            doc.kind.template(),
            doc.path
        );
    }
    std::fs::write(args.dir.join("jobs.tsv"), jobs).map_err(system)?;
    Ok(Outcome::ok(
        vec![],
        vec![format!(
            "{} views in {}",
            documents.len(),
            args.dir.display()
        )],
    ))
}
