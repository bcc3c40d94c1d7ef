//! `udvalg render-worker` (hidden): the process `build` starts for each of its render threads.
//! It lays out what it reads on standard input and writes the PDFs to standard output.

use super::{Outcome, UsageError};
use crate::render::RENDER_STACK_BYTES;

pub fn run() -> Result<Outcome, UsageError> {
    end_with_parent();
    // One thread, with a large stack as Typst lays out recursively. Typst runs parts of a layout
    // and of the PDF export in parallel on the current rayon pool: here they run in turn, since
    // the build starts a worker per core, and threads sharing one memo cache slow each other.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .stack_size(RENDER_STACK_BYTES)
        .thread_name(|_| "render-worker".into())
        .build()
        .map_err(|e| UsageError(format!("cannot start the render worker: {e}")))?;
    let output =
        raw_stdout().map_err(|e| UsageError(format!("cannot use standard output: {e}")))?;
    let served = pool.install(|| crate::render::serve_worker(std::io::stdin(), output));
    served.map_err(|e| UsageError(format!("the render worker stopped: {e}")))?;
    Ok(Outcome::ok(vec![], vec![]))
}

/// Standard output without its line buffering, which would look for line ends in every PDF.
#[cfg(unix)]
fn raw_stdout() -> std::io::Result<impl std::io::Write> {
    use std::os::fd::AsFd;
    Ok(std::fs::File::from(
        std::io::stdout().as_fd().try_clone_to_owned()?,
    ))
}

#[cfg(not(unix))]
fn raw_stdout() -> std::io::Result<impl std::io::Write> {
    Ok(std::io::stdout())
}

/// A worker ends when the build that started it ends, however it ends: a killed build must not
/// leave workers rendering on for seconds.
#[cfg(target_os = "linux")]
fn end_with_parent() {
    let parent = std::os::unix::process::parent_id();
    // SAFETY: prctl(PR_SET_PDEATHSIG) takes a signal number and changes nothing but this
    // process's death signal.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
    }
    // The parent may have died before the call: then this process was adopted already.
    if std::os::unix::process::parent_id() != parent {
        std::process::exit(0);
    }
}

#[cfg(not(target_os = "linux"))]
fn end_with_parent() {}
