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

use bytes::{Bytes, BytesMut};
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

use super::{
    Done, LAYOUTS_PER_TRIM, LayoutJob, Output, RenderResult, RenderRun, Rendered, Renderer,
    Templates, not_rendered, trim_memo_cache,
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

/// A rendered PDF as it crosses: the build keeps the PDF where it was read (see [`Buffers`]).
#[derive(Serialize, Deserialize)]
struct SentRendered<'a> {
    #[serde(borrow)]
    pdf: &'a serde_bytes::Bytes,
    pages: usize,
    warnings: Vec<SentDiagnostic>,
    templates: std::collections::BTreeMap<String, String>,
}

type SentResult<'a> = Result<SentRendered<'a>, Vec<SentDiagnostic>>;

/// The worker's side: reads the setup, then renders each job until its input ends.
pub fn serve(input: impl Read + Send + 'static, output: impl Write + Send) -> io::Result<()> {
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
    std::thread::Builder::new().spawn(move || {
        while let Some(job) = input.next::<LayoutJob>().transpose() {
            let unreadable = job.is_err();
            if queued.send(job).is_err() || unreadable {
                break;
            }
        }
    })?;
    // Answers are written by a thread of their own, so that rendering goes on while the build
    // reads the last answer from the pipe.
    let (answers, to_send) = std::sync::mpsc::sync_channel::<(Vec<RenderResult>, Duration)>(1);
    std::thread::scope(|scope| {
        let answering = std::thread::Builder::new().spawn_scoped(scope, move || {
            for (mut results, busy) in to_send {
                send(&mut output, &(busy, sent_results(&mut results)))?;
            }
            io::Result::Ok(())
        })?;
        let rendered = render_jobs(&renderer, jobs, answers);
        let answered = answering
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the answering thread stopped")));
        rendered.and(answered)
    })
}

/// Renders each job and hands its results to `answers`, trimming the memo cache as it goes;
/// stops when the answers are no longer taken (the pipe to the build broke).
fn render_jobs(
    renderer: &Renderer,
    jobs: std::sync::mpsc::Receiver<io::Result<LayoutJob>>,
    answers: std::sync::mpsc::SyncSender<(Vec<RenderResult>, Duration)>,
) -> io::Result<()> {
    for (laid_out, job) in (1usize..).zip(jobs) {
        if answers.send(renderer.render_timed(&job?)).is_err() {
            break;
        }
        if laid_out.is_multiple_of(LAYOUTS_PER_TRIM) {
            trim_memo_cache();
        }
    }
    Ok(())
}

/// Results as they cross to the build, their PDFs borrowed from `results`.
fn sent_results(results: &mut [RenderResult]) -> Vec<SentResult<'_>> {
    results
        .iter_mut()
        .map(|result| match result {
            Ok(rendered) => Ok(SentRendered {
                pdf: serde_bytes::Bytes::new(&rendered.pdf),
                pages: rendered.pages,
                warnings: rendered.warnings.drain(..).map(sent).collect(),
                templates: std::mem::take(&mut rendered.templates),
            }),
            Err(errors) => Err(errors.drain(..).map(sent).collect()),
        })
        .collect()
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
    // All are started before any is sent its setup, which fills the pipe until the worker
    // reads it: so they start up, and then set up their fonts and templates, at the same time.
    let mut starting: Vec<Worker> = (0..count)
        .filter_map(|_| Worker::spawn(program).ok())
        .collect();
    starting.retain_mut(|worker| worker.send(&setup).is_ok());
    let workers: Vec<Worker> = starting
        .into_iter()
        .filter_map(|worker| worker.ready(program).ok())
        .collect();
    if workers.is_empty() {
        return None;
    }
    let started = workers.len();
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
    /// Starts a worker, which waits for its setup.
    fn spawn(program: &Path) -> io::Result<Self> {
        let mut child = Command::new(program)
            .arg("render-worker")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let (Some(to), Some(from)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(io::Error::other("the worker has no pipes"));
        };
        widen_pipe(&from);
        Ok(Worker {
            child,
            to: Some(BufWriter::new(to)),
            from: Receiver::new(BufReader::new(from)),
        })
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
            match self.answer(renderer) {
                Ok((took, results)) => {
                    busy += took;
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
    fn answer(&mut self, renderer: &Renderer) -> io::Result<(Duration, Vec<RenderResult>)> {
        let answer = self.from.next_shared(|message| {
            let (took, results): (Duration, Vec<SentResult>) = decode(message)?;
            let results = results.into_iter();
            Ok((
                took,
                results.map(|r| received(renderer, message, r)).collect(),
            ))
        })?;
        match answer {
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

/// Reads messages: most into one kept buffer, answers into [`Buffers`].
struct Receiver<R> {
    from: R,
    buffer: Vec<u8>,
    shared: Buffers,
}

impl<R: Read> Receiver<R> {
    fn new(from: R) -> Self {
        Self {
            from,
            buffer: Vec::new(),
            shared: Buffers::default(),
        }
    }

    /// The next message, or `None` if the input ended before one began.
    fn next<T: DeserializeOwned>(&mut self) -> io::Result<Option<T>> {
        let Some(length) = self.length()? else {
            return Ok(None);
        };
        // Read as it comes rather than allocated at once: this is how a program that is not a
        // worker is found out, by what it says first.
        self.buffer.clear();
        (&mut self.from)
            .take(length as u64)
            .read_to_end(&mut self.buffer)?;
        if self.buffer.len() != length {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        decode(&self.buffer).map(Some)
    }

    /// The next message, read into a buffer that what `parse` makes of it may keep parts of.
    /// Only for answers, from a worker that has said who it is.
    fn next_shared<T>(
        &mut self,
        parse: impl FnOnce(&Bytes) -> io::Result<T>,
    ) -> io::Result<Option<T>> {
        let Some(length) = self.length()? else {
            return Ok(None);
        };
        let mut buffer = self.shared.take();
        // Only what the buffer grows by is zeroed; the rest is overwritten.
        buffer.resize(length, 0);
        self.from.read_exact(&mut buffer)?;
        let message = buffer.freeze();
        let parsed = parse(&message);
        self.shared.keep(message);
        parsed.map(Some)
    }

    /// The length of the next message, or `None` if the input ended before one began.
    fn length(&mut self) -> io::Result<Option<usize>> {
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
        Ok(Some(length as usize))
    }
}

/// The buffers answers were read into, used again once all their PDFs are written: a fresh
/// buffer of a megabyte or so for each answer, or a copy of each PDF, costs page faults and
/// zeroing every time.
#[derive(Default)]
struct Buffers {
    kept: Vec<Bytes>,
}

impl Buffers {
    /// More than this many answers waiting to be written means the disk is slow; the buffers of
    /// those beyond are not kept.
    const KEPT: usize = 8;

    /// A buffer that nothing refers to any more, or a new one.
    fn take(&mut self) -> BytesMut {
        let free = self.kept.iter().position(Bytes::is_unique);
        free.and_then(|at| self.kept.swap_remove(at).try_into_mut().ok())
            .unwrap_or_default()
    }

    fn keep(&mut self, message: Bytes) {
        if self.kept.len() < Self::KEPT {
            self.kept.push(message);
        }
    }
}

fn decode<'a, T: Deserialize<'a>>(message: &'a [u8]) -> io::Result<T> {
    postcard::from_bytes(message).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
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

/// A result as the build uses it; its PDF stays in `message`, where it was read.
fn received(renderer: &Renderer, message: &Bytes, result: SentResult) -> RenderResult {
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
            pdf: message.slice_ref(rendered.pdf),
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

    #[test]
    fn an_answer_buffer_is_read_into_again_only_once_nothing_refers_to_it() {
        let mut pipe = Vec::new();
        for pdf in [b"first pdf".as_slice(), b"second", b"third"] {
            send(&mut pipe, &serde_bytes::Bytes::new(pdf)).unwrap();
        }
        let mut from = Receiver::new(pipe.as_slice());
        let pdf_of = |message: &Bytes| -> io::Result<Bytes> {
            let pdf: &serde_bytes::Bytes = decode(message)?;
            Ok(message.slice_ref(pdf))
        };
        let first = from.next_shared(pdf_of).unwrap().unwrap();
        let first_at = first.as_ptr();
        // The first PDF still waits to be written: the next answer goes elsewhere.
        let second = from.next_shared(pdf_of).unwrap().unwrap();
        assert_ne!(second.as_ptr(), first_at);
        assert_eq!(&first[..], b"first pdf");
        drop(first);
        // Written: its buffer takes the next answer.
        let third = from.next_shared(pdf_of).unwrap().unwrap();
        assert_eq!(third.as_ptr(), first_at);
        assert_eq!(
            (&second[..], &third[..]),
            (b"second".as_slice(), b"third".as_slice())
        );
        assert!(from.next_shared(pdf_of).unwrap().is_none());
    }
}
