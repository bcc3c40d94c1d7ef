//! Rendering in worker processes: `udvalg render-worker` lays out the jobs it reads on standard
//! input and answers each with its PDFs on standard output. Threads of one process contend for
//! Typst's shared memo cache (a lock and shared counters on every memoized call); processes
//! each have their own, so that each core does the work of a lone thread.
//!
//! Messages are postcard, each after its length as a little-endian u64.

use std::collections::VecDeque;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::ops::Range;
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

use super::{
    CACHE_AGE, Done, LAYOUTS_PER_TRIM, LayoutJob, Output, RenderResult, RenderRun, Rendered,
    Renderer, Templates, not_rendered,
};
use crate::diagnostics::{Diagnostic, Location, Severity};

/// How many layouts a worker is sent ahead of its answers: while it renders one, the next waits
/// in its queue, so that it never waits for the build to read an answer and send more.
const IN_FLIGHT: usize = 2;

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
pub fn serve(input: impl Read + Send + 'static, output: impl Write) -> io::Result<()> {
    let mut input = Receiver::new(BufReader::new(input));
    let mut output = BufWriter::new(output);
    let Some(setup) = input.next::<Setup>()? else {
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
    // Jobs are read as they come, so that the build can send the next one while this one
    // renders, without either side waiting on a full pipe. The reader is not waited for: if
    // rendering fails, the worker ends at once and the build sees it stop.
    let (queued, jobs) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        while let Some(job) = input.next::<LayoutJob>().transpose() {
            let unreadable = job.is_err();
            if queued.send(job).is_err() || unreadable {
                break;
            }
        }
    });
    let mut laid_out = 0usize;
    for job in jobs {
        let (results, busy) = renderer.render_timed(&job?);
        let results: Vec<SentResult> = results
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
        send(&mut output, &(busy, results))?;
        laid_out += 1;
        if laid_out.is_multiple_of(LAYOUTS_PER_TRIM) {
            typst::comemo::evict(CACHE_AGE);
        }
    }
    Ok(())
}

/// Renders `queue` in `count` worker processes started from `program`, each taking the next
/// of `runs` (a meeting's layouts together, so that they share its memo cache), largest first:
/// how many started, and the results by the index of their document in the run; or `None` if
/// none would start.
pub(super) fn render(
    renderer: &Renderer,
    program: &Path,
    count: usize,
    (queue, runs): (&[LayoutJob], &[Range<usize>]),
    done: Done,
) -> Option<RenderRun<(usize, RenderResult)>> {
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
    let runs = largest_first(queue, runs);
    let runs = runs.as_slice();
    let next = AtomicUsize::new(0);
    let (rendered, busy) = std::thread::scope(|scope| {
        let threads: Vec<_> = workers
            .into_iter()
            .map(|worker| {
                // Each worker takes the next meeting's layouts when it is ready for more.
                let next = &next;
                let jobs =
                    std::iter::from_fn(move || runs.get(next.fetch_add(1, Ordering::Relaxed)))
                        .flat_map(|run| &queue[run.clone()]);
                scope.spawn(move || worker.drive(jobs, renderer, done))
            })
            .collect();
        threads
            .into_iter()
            .map(|thread| thread.join().unwrap_or_default())
            .fold(
                (Vec::new(), Duration::ZERO),
                |(mut all, total), (mine, busy)| {
                    all.extend(mine);
                    (all, total + busy)
                },
            )
    });
    Some(RenderRun {
        results: rendered,
        workers: started,
        busy,
    })
}

/// `runs` by their view data, largest first, so that no long paper (such as a year's process
/// plan, last in the catalogue) is left to one worker while the others have finished.
pub(super) fn largest_first(queue: &[LayoutJob], runs: &[Range<usize>]) -> Vec<Range<usize>> {
    let size =
        |run: &Range<usize>| -> usize { queue[run.clone()].iter().map(|j| j.view.len()).sum() };
    let mut runs = runs.to_vec();
    runs.sort_by_cached_key(|run| std::cmp::Reverse(size(run)));
    runs
}

/// `output`, failed with `message`.
fn failed(output: &Output, message: &str) -> (usize, RenderResult) {
    (output.index, Err(not_rendered(&output.path, message)))
}

/// A running worker process.
struct Worker {
    child: Child,
    to: Option<BufWriter<ChildStdin>>,
    from: Receiver<BufReader<ChildStdout>>,
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
        widen_pipe(&from);
        let mut worker = Worker {
            child,
            to: Some(BufWriter::new(to)),
            from: Receiver::new(BufReader::new(from)),
        };
        worker.send(setup)?;
        Ok(worker)
    }

    /// The worker, once it says it is ready, if it is this version's.
    fn ready(mut self, program: &Path) -> io::Result<Self> {
        match self.from.next::<String>()? {
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

    /// Renders `jobs`, keeping the next one queued in the worker while it renders one: the
    /// results by the index of their document, and the time the worker spent rendering. If the
    /// worker stops, the layouts it had fail, and it takes no more.
    fn drive<'a>(
        mut self,
        mut jobs: impl Iterator<Item = &'a LayoutJob>,
        renderer: &Renderer,
        done: Done,
    ) -> (Vec<(usize, RenderResult)>, Duration) {
        let mut rendered = Vec::new();
        let mut busy = Duration::ZERO;
        let mut sent: VecDeque<&LayoutJob> = VecDeque::new();
        let stopped = loop {
            if sent.len() < IN_FLIGHT
                && let Some(job) = jobs.next()
            {
                sent.push_back(job);
                match self.send(job) {
                    Ok(()) => continue,
                    Err(e) => break Some(e),
                }
            }
            let Some(job) = sent.front() else { break None };
            match self.answer() {
                Ok((took, results)) => {
                    busy += took;
                    let results = results.into_iter().map(|r| received(renderer, r));
                    job.finish(results, done, &mut rendered);
                    sent.pop_front();
                }
                Err(e) => break Some(e),
            }
        };
        if let Some(e) = stopped {
            let stopped = format!("a render worker stopped: {e}");
            let outputs = sent.iter().flat_map(|job| &job.outputs);
            rendered.extend(outputs.map(|output| failed(output, &stopped)));
        }
        (rendered, busy)
    }

    /// The next answer: a job's results, and how long the worker took to render them.
    fn answer(&mut self) -> io::Result<(Duration, Vec<SentResult>)> {
        match self.from.next()? {
            Some(answer) => Ok(answer),
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

/// The pipe a worker answers on holds an answer (an agenda and its items' PDFs) whole, so that
/// the worker does not wait for the build to read each 64 KB of it. Only a speed-up: where the
/// system refuses, the pipe stays as it is.
#[cfg(target_os = "linux")]
fn widen_pipe(pipe: &ChildStdout) {
    use std::os::fd::AsRawFd;
    const PIPE_BYTES: libc::c_int = 1 << 20;
    // SAFETY: F_SETPIPE_SZ only changes the buffer of the pipe that `pipe` keeps open.
    unsafe {
        libc::fcntl(pipe.as_raw_fd(), libc::F_SETPIPE_SZ, PIPE_BYTES);
    }
}

#[cfg(not(target_os = "linux"))]
fn widen_pipe(_: &ChildStdout) {}

/// A message larger than this is not one of ours (a year's agenda with its items is a few MB).
const LARGEST_MESSAGE: u64 = 1 << 30;

/// Writes `message` straight to `to`, after its length, so that a PDF is not copied into a
/// growing buffer first.
fn send(to: &mut impl Write, message: &impl Serialize) -> io::Result<()> {
    let length = postcard::experimental::serialized_size(message).map_err(io::Error::other)?;
    to.write_all(&(length as u64).to_le_bytes())?;
    postcard::to_io(message, &mut *to).map_err(io::Error::other)?;
    to.flush()
}

/// Reads messages, each into the same buffer: a fresh buffer per answer of a megabyte or so
/// cost page faults and zeroing, a tenth of the build process's time.
struct Receiver<R> {
    from: R,
    buffer: Vec<u8>,
}

impl<R: Read> Receiver<R> {
    fn new(from: R) -> Self {
        Self {
            from,
            buffer: Vec::new(),
        }
    }

    /// The next message, or `None` if the input ended before one began.
    fn next<T: DeserializeOwned>(&mut self) -> io::Result<Option<T>> {
        let mut length = [0u8; 8];
        match self.from.read_exact(&mut length) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
            Err(e) => return Err(e),
        }
        let length = u64::from_le_bytes(length);
        if length > LARGEST_MESSAGE {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("a message of {length} bytes is not a render worker's"),
            ));
        }
        self.buffer.clear();
        (&mut self.from)
            .take(length)
            .read_to_end(&mut self.buffer)?;
        if self.buffer.len() as u64 != length {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        postcard::from_bytes(&self.buffer)
            .map(Some)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }
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
        let mut from = Receiver::new(pipe.as_slice());
        assert_eq!(from.next::<String>().unwrap().as_deref(), Some("first"));
        assert_eq!(from.next::<Vec<u64>>().unwrap(), Some(vec![1, 2, 3]));
        assert!(from.next::<String>().unwrap().is_none());

        let mut cut_short = Receiver::new(&pipe[..pipe.len() - 1]);
        cut_short.next::<String>().unwrap();
        assert!(cut_short.next::<Vec<u64>>().is_err());

        // Another program's output, read as a length, is refused before anything is allocated.
        let mut not_ours = Receiver::new(b"%PDF-1.7 and more".as_slice());
        let refused = not_ours.next::<String>().unwrap_err();
        assert_eq!(refused.kind(), io::ErrorKind::InvalidData);
    }
}
