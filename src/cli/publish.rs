//! `udvalg publish`: build, then write the committee's public website.

use std::path::PathBuf;
use std::time::Instant;

use super::{GlobalArgs, Outcome, UsageError, load_plan, resolve_templates};
use crate::build::BuildOptions;
use crate::output::OutputDir;
use crate::publish::publish;

#[derive(Debug, clap::Args)]
pub struct PublishArgs {
    /// Where the website is written; default: site/ in the output directory.
    #[arg(long, value_name = "DIR")]
    pub site: Option<PathBuf>,
    /// Then serve the website on this machine for a preview, until Ctrl-C: at ADDR, by default
    /// 127.0.0.1:8000 (only this machine can see it).
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = "127.0.0.1:8000")]
    pub serve: Option<String>,
}

pub fn run(global: &GlobalArgs, args: &PublishArgs) -> Result<Outcome, UsageError> {
    let started = Instant::now();
    let (plan, mut diagnostics) = match load_plan(global)? {
        Ok(ok) => ok,
        Err(failed) => return Ok(failed),
    };
    let templates = match resolve_templates(global) {
        Ok(templates) => templates,
        Err(unreadable) => {
            diagnostics.push(unreadable);
            return Ok(Outcome::failed(diagnostics));
        }
    };
    let out = OutputDir::new(&global.out);
    let site = args.site.clone().unwrap_or_else(|| global.out.join("site"));
    let options = BuildOptions {
        progress: std::io::IsTerminal::is_terminal(&std::io::stderr()),
        workers: std::env::current_exe().ok(),
        ..BuildOptions::default()
    };
    let mut report = match publish(&plan, templates, &out, &site, options) {
        Ok(report) => report,
        Err(failed) => return Ok(Outcome::write_failed(diagnostics, failed, &site)),
    };
    diagnostics.append(&mut report.build.warnings);
    let mut messages = vec![format!(
        "{} papers in {} ({} rendered now); the website in {}: {} files, {} written, {} removed; {:.2} s",
        report.build.written.len(),
        out.root().display(),
        report.build.rendered,
        site.display(),
        report.files,
        report.written.len(),
        report.removed.len(),
        started.elapsed().as_secs_f64()
    )];
    messages.extend(super::build::housekeeping(&report.build));
    let Some(addr) = &args.serve else {
        return Ok(Outcome::ok(diagnostics, messages));
    };
    // Serving goes on until stopped: what the publish said is printed first.
    crate::diagnostics::emit_to_stderr(&diagnostics);
    for message in &messages {
        println!("{message}");
    }
    crate::publish::serve::serve(&site, addr, |at| {
        println!("the website is served at http://{at}/ (stop with Ctrl-C)");
    })
    .map_err(|e| UsageError(format!("cannot serve the website at {addr}: {e}")))?;
    Ok(Outcome::ok(Vec::new(), Vec::new()))
}
