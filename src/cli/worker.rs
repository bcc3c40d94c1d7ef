//! `udvalg render-worker` (hidden): the process `build` starts for each of its render threads.
//! It lays out what it reads on standard input and writes the PDFs to standard output.

use super::{Outcome, RENDER_STACK_BYTES, UsageError};

pub fn run() -> Result<Outcome, UsageError> {
    // Typst lays out recursively: the worker renders on a thread with a large stack.
    let served = std::thread::Builder::new()
        .stack_size(RENDER_STACK_BYTES)
        .spawn(|| crate::render::serve_worker(std::io::stdin(), std::io::stdout().lock()))
        .map_err(|e| UsageError(format!("cannot start the render worker: {e}")))?
        .join()
        .map_err(|_| UsageError("the render worker failed".into()))?;
    served.map_err(|e| UsageError(format!("the render worker stopped: {e}")))?;
    Ok(Outcome::ok(vec![], vec![]))
}
