//! Rendering in worker processes: `udvalg render-worker` lays out the jobs it reads on standard
//! input and answers each with its PDFs on standard output. Threads of one process contend for
//! Typst's shared memo cache (a lock and shared counters on every memoized call); processes
//! each have their own, so two of them do twice the work of one, as two threads do not.
//!
//! Messages are postcard, each after its length as a little-endian u64.

use std::io::{self, BufReader, BufWriter, Read, Write};
use std::ops::Range;
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

use super::{
    CACHE_AGE, LAYOUTS_PER_TRIM, LayoutJob, Output, RenderResult, Rendered, Renderer, Templates,
};
use crate::diagnostics::{Diagnostic, Location, Severity};

/// What a worker answers once it is ready; a different program (or version) answers otherwise.
const HELLO: &str = concat!("udvalg render-worker ", env!("CARGO_PKG_VERSION"));

/// The first message to a worker: everything every layout shares.
#[derive(Serialize, Deserialize)]
struct Setup {
    display_root: String,
    today: NaiveDate,
    files: Vec<(String, ByteBuf)>,
}

/// A diagnostic as it crosses between processes: its file by name, which both sides' templates
/// know.
#[derive(Serialize, Deserialize)]
struct SentDiagnostic {
    severity: Severity,
    message: String,
    location: Option<(String, Range<usize>)>,
    help: Vec<String>,
}

#[derive(Serialize, Deserialize)]
struct SentRendered {
    pdf: ByteBuf,
    pages: usize,
    warnings: Vec<SentDiagnostic>,
    templates: std::collections::BTreeMap<String, String>,
}

type SentResult = Result<SentRendered, Vec<SentDiagnostic>>;

/// The worker's side: reads the setup, then renders each job until its input ends.
pub fn serve(input: impl Read, output: impl Write) -> io::Result<()> {
    let mut input = BufReader::new(input);
    let mut output = BufWriter::new(output);
    let Some(setup) = receive::<Setup>(&mut input)? else {
        return Ok(());
    };
    let files = setup
        .files
        .into_iter()
        .map(|(path, bytes)| (path, bytes.into_vec()))
        .collect();
    let templates = Templates::from_files(&setup.display_root, files);
    let renderer = Renderer::new(templates, setup.today);
    send(&mut output, &HELLO)?;
    let mut laid_out = 0usize;
    while let Some(job) = receive::<LayoutJob>(&mut input)? {
        let results: Vec<SentResult> = renderer
            .render_layout(&job)
            .into_iter()
            .map(|result| match result {
                Ok(rendered) => Ok(SentRendered {
                    pdf: ByteBuf::from(rendered.pdf),
                    pages: rendered.pages,
                    warnings: rendered.warnings.into_iter().map(sent).collect(),
                    templates: rendered.templates,
                }),
                Err(errors) => Err(errors.into_iter().map(sent).collect()),
            })
            .collect();
        send(&mut output, &results)?;
        laid_out += 1;
        if laid_out.is_multiple_of(LAYOUTS_PER_TRIM) {
            typst::comemo::evict(CACHE_AGE);
        }
    }
    Ok(())
}

/// Renders `queue` in `count` worker processes started from `program`: how many started, and
/// the results by the index of their document in the run; or `None` if none would start.
pub(super) fn render(
    renderer: &Renderer,
    program: &Path,
    count: usize,
    queue: &[LayoutJob],
    done: &(dyn Fn() + Sync),
) -> Option<(usize, Vec<(usize, RenderResult)>)> {
    let setup = Setup {
        display_root: renderer.templates.display_root().to_string(),
        today: renderer.today,
        files: renderer
            .templates
            .files()
            .into_iter()
            .map(|(path, bytes)| (path, ByteBuf::from(bytes.to_vec())))
            .collect(),
    };
    // Started together, so that they set up their fonts and templates at the same time.
    let starting: Vec<Worker> = (0..count)
        .filter_map(|_| Worker::spawn(program, &setup).ok())
        .collect();
    let workers: Vec<Worker> = starting
        .into_iter()
        .filter_map(|worker| worker.ready(program).ok())
        .collect();
    if workers.is_empty() {
        return None;
    }
    let started = workers.len();
    // A meeting's layouts go to one worker together, so that they share its memo cache.
    let meetings = meeting_runs(queue);
    let next = AtomicUsize::new(0);
    let mut rendered: Vec<(usize, RenderResult)> = std::thread::scope(|scope| {
        let threads: Vec<_> = workers
            .into_iter()
            .map(|mut worker| {
                let (meetings, next) = (&meetings, &next);
                scope.spawn(move || {
                    let mut mine = Vec::new();
                    while let Some(run) = meetings.get(next.fetch_add(1, Ordering::Relaxed)) {
                        for job in &queue[run.clone()] {
                            let results = match worker.render(job) {
                                Ok(results) => results,
                                Err(e) => {
                                    // The rest of its meeting fails below.
                                    let stopped = format!("a render worker stopped: {e}");
                                    mine.extend(job.outputs.iter().map(|o| failed(o, &stopped)));
                                    return mine;
                                }
                            };
                            let results = results.into_iter().map(|r| received(renderer, r));
                            mine.extend(job.outputs.iter().map(|o| o.index).zip(results));
                            job.outputs.iter().for_each(|_| done());
                        }
                    }
                    mine
                })
            })
            .collect();
        threads
            .into_iter()
            .flat_map(|thread| thread.join().unwrap_or_default())
            .collect()
    });
    let answered: std::collections::HashSet<usize> = rendered.iter().map(|(i, _)| *i).collect();
    let unanswered = queue
        .iter()
        .flat_map(|job| &job.outputs)
        .filter(|output| !answered.contains(&output.index));
    let stopped = "not rendered: a render worker stopped";
    let unanswered: Vec<_> = unanswered.map(|output| failed(output, stopped)).collect();
    rendered.extend(unanswered);
    Some((started, rendered))
}

/// `output`, failed with `message`.
fn failed(output: &Output, message: &str) -> (usize, RenderResult) {
    let error = Diagnostic::error(message).with_help(format!("while rendering {}", output.path));
    (output.index, Err(vec![error]))
}

/// The queue in runs of consecutive layouts of one meeting; a layout of no meeting is a run
/// of its own.
fn meeting_runs(queue: &[LayoutJob]) -> Vec<Range<usize>> {
    let mut runs: Vec<Range<usize>> = Vec::new();
    for (i, job) in queue.iter().enumerate() {
        match runs.last_mut() {
            Some(run) if job.meeting.is_some() && queue[run.start].meeting == job.meeting => {
                run.end = i + 1;
            }
            _ => runs.push(i..i + 1),
        }
    }
    runs
}

/// A running worker process.
struct Worker {
    child: Child,
    to: Option<BufWriter<ChildStdin>>,
    from: BufReader<ChildStdout>,
}

impl Worker {
    /// Starts a worker and sends it the setup.
    fn spawn(program: &Path, setup: &Setup) -> io::Result<Self> {
        let mut child = Command::new(program)
            .arg("render-worker")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let (Some(to), Some(from)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(io::Error::other("the worker has no pipes"));
        };
        let mut worker = Worker {
            child,
            to: Some(BufWriter::new(to)),
            from: BufReader::new(from),
        };
        worker.send(setup)?;
        Ok(worker)
    }

    /// The worker, once it says it is ready, if it is this version's.
    fn ready(mut self, program: &Path) -> io::Result<Self> {
        match receive::<String>(&mut self.from)? {
            Some(hello) if hello == HELLO => Ok(self),
            _ => Err(io::Error::other(format!(
                "{} is not this version's render worker",
                program.display()
            ))),
        }
    }

    fn send(&mut self, message: &impl Serialize) -> io::Result<()> {
        match &mut self.to {
            Some(to) => send(to, message),
            None => Err(io::ErrorKind::BrokenPipe.into()),
        }
    }

    fn render(&mut self, job: &LayoutJob) -> io::Result<Vec<SentResult>> {
        self.send(job)?;
        match receive(&mut self.from)? {
            Some(results) => Ok(results),
            None => Err(match self.child.try_wait() {
                Ok(Some(status)) => io::Error::other(status.to_string()),
                _ => io::ErrorKind::UnexpectedEof.into(),
            }),
        }
    }
}

impl Drop for Worker {
    /// Closing its input tells the worker to finish; it is then waited for, so that no
    /// process outlives the run.
    fn drop(&mut self) {
        self.to = None;
        let _ = self.child.wait();
    }
}

fn send(to: &mut impl Write, message: &impl Serialize) -> io::Result<()> {
    let bytes = postcard::to_stdvec(message).map_err(io::Error::other)?;
    to.write_all(&(bytes.len() as u64).to_le_bytes())?;
    to.write_all(&bytes)?;
    to.flush()
}

/// The next message, or `None` if the input ended before one began.
fn receive<T: DeserializeOwned>(from: &mut impl Read) -> io::Result<Option<T>> {
    let mut length = [0u8; 8];
    match from.read_exact(&mut length) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let length = usize::try_from(u64::from_le_bytes(length)).map_err(io::Error::other)?;
    let mut bytes = Vec::new();
    from.take(length as u64).read_to_end(&mut bytes)?;
    if bytes.len() != length {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    postcard::from_bytes(&bytes)
        .map(Some)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

fn sent(diagnostic: Diagnostic) -> SentDiagnostic {
    SentDiagnostic {
        severity: diagnostic.severity,
        message: diagnostic.message,
        location: diagnostic
            .location
            .map(|at| (at.file.name.clone(), at.range)),
        help: diagnostic.help,
    }
}

fn received(renderer: &Renderer, result: SentResult) -> RenderResult {
    let diagnostics = |sent: Vec<SentDiagnostic>| -> Vec<Diagnostic> {
        sent.into_iter()
            .map(|d| Diagnostic {
                severity: d.severity,
                message: d.message,
                location: d.location.and_then(|(name, range)| {
                    let file = renderer.templates.text_named(&name)?.clone();
                    Some(Location { file, range })
                }),
                help: d.help,
            })
            .collect()
    };
    match result {
        Ok(rendered) => Ok(Rendered {
            pdf: rendered.pdf.into_vec(),
            pages: rendered.pages,
            warnings: diagnostics(rendered.warnings),
            templates: rendered.templates,
        }),
        Err(errors) => Err(diagnostics(errors)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_cross_a_pipe_whole_and_end_cleanly() {
        let mut pipe = Vec::new();
        send(&mut pipe, &"first".to_string()).unwrap();
        send(&mut pipe, &vec![1u64, 2, 3]).unwrap();
        let mut from = pipe.as_slice();
        assert_eq!(
            receive::<String>(&mut from).unwrap().as_deref(),
            Some("first")
        );
        assert_eq!(receive::<Vec<u64>>(&mut from).unwrap(), Some(vec![1, 2, 3]));
        assert!(receive::<String>(&mut from).unwrap().is_none());

        let mut cut_short = &pipe[..pipe.len() - 1];
        receive::<String>(&mut cut_short).unwrap();
        assert!(receive::<Vec<u64>>(&mut cut_short).is_err());
    }
}
