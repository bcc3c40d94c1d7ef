//! Rendering in worker processes: `udvalg render-worker` lays out the jobs it reads on standard
//! input and answers each with its PDFs on standard output. Threads of one process contend for
//! Typst's shared memo cache (a lock and shared counters on every memoized call); processes
//! each have their own, so that each core does the work of a lone thread.
//!
//! Behind one call, [`render`]: a reader of the build never needs to open this folder.

mod messages;
mod pipe;

use std::collections::VecDeque;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::ops::Range;
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde::Serialize;
use serde_bytes::ByteBuf;

use messages::{HELLO, SentResult, Setup, received, sent_results};
use pipe::{Receiver, decode, send};

use super::guard::{self, Limits, OUT_OF_MEMORY_EXIT, Runaway, Slot};
use super::schedule::{LayoutJob, Output, not_rendered};
use super::{
    Done, LAYOUTS_PER_TRIM, RenderResult, RenderRun, Renderer, Templates, trim_memo_cache,
};

/// How many layouts a worker is sent ahead of its answers: while it renders one, the next waits
/// in its queue, so that it never waits for the build to read an answer and send more.
const IN_FLIGHT: usize = 2;

/// How many times a worker that stopped for no known reason is replaced.
const RESTARTS: usize = 2;

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
    let limits = Limits {
        memory_mb: setup.memory_mb,
        part_items: setup.part_items,
        ..Limits::default()
    };
    let renderer = Renderer::new(templates, setup.today).with_limits(limits);
    guard::in_worker();
    guard::set_memory_limit(&limits);
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
    // The build kills a worker whose layout runs too long; one that asks for too much memory
    // ends itself (see `guard`).
    let slot = Slot::default();
    for (laid_out, job) in (1usize..).zip(jobs) {
        let job = job?;
        if answers
            .send(slot.guard(0, || renderer.render_timed(&job)))
            .is_err()
        {
            break;
        }
        if laid_out.is_multiple_of(LAYOUTS_PER_TRIM) {
            trim_memo_cache();
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
        memory_mb: renderer.limits.memory_mb,
        part_items: renderer.limits.part_items,
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
                let restart = || {
                    let mut worker = Worker::spawn(program).ok()?;
                    worker.send(&setup).ok()?;
                    worker.ready(program).ok()
                };
                scope.spawn(move || worker.drive(jobs, renderer, done, &restart))
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
    /// results by the index of their document, and the time the worker spent rendering. A
    /// worker whose layout runs past the time limit is killed. If the worker stops, the layout
    /// it was on fails, and a new worker from `restart` takes the rest; if none starts, the
    /// layouts it had fail and it takes no more.
    fn drive<'a>(
        mut self,
        mut jobs: impl Iterator<Item = &'a LayoutJob>,
        renderer: &Renderer,
        done: Done,
        restart: &dyn Fn() -> Option<Worker>,
    ) -> (Vec<(usize, RenderResult)>, Duration) {
        let mut rendered = Vec::new();
        let mut busy = Duration::ZERO;
        let mut sent: VecDeque<&LayoutJob> = VecDeque::new();
        let mut again: VecDeque<&LayoutJob> = VecDeque::new();
        let mut restarts = 0;
        loop {
            let watch = Watch::new(self.child.id(), renderer.limits.time);
            let stopped = std::thread::scope(|scope| {
                scope.spawn(|| watch.kill_when_late());
                let stopped = loop {
                    if sent.len() < IN_FLIGHT
                        && let Some(job) = again.pop_front().or_else(|| jobs.next())
                    {
                        sent.push_back(job);
                        if sent.len() == 1 {
                            watch.began();
                        }
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
                            watch.began();
                        }
                        Err(e) => break Some(e),
                    }
                };
                watch.end();
                stopped
            });
            let Some(e) = stopped else { break };
            let status = self.child.wait().ok();
            let ran = if watch.killed() {
                Some(Runaway::Time)
            } else if status.and_then(|s| s.code()) == Some(OUT_OF_MEMORY_EXIT) {
                Some(Runaway::Memory)
            } else {
                None
            };
            if let Some(job) = sent.pop_front() {
                let failed = match ran {
                    Some(ran) => renderer.stopped(job, ran),
                    None => not_rendered(&job.path, &format!("a render worker stopped: {e}")),
                };
                job.finish(
                    job.outputs.iter().map(|_| Err(failed.clone())),
                    done,
                    &mut rendered,
                );
            }
            again.extend(sent.drain(..));
            // A worker stopped at a limit is replaced; one that stops for no known reason is
            // replaced twice, not once for every layout it is given.
            restarts += usize::from(ran.is_none());
            let replacement = if restarts <= RESTARTS {
                restart()
            } else {
                None
            };
            match replacement {
                Some(worker) => self = worker,
                None => {
                    let stopped = format!("a render worker stopped: {e}");
                    let outputs = again.iter().flat_map(|job| &job.outputs);
                    rendered.extend(outputs.map(|output| failed(output, &stopped)));
                    break;
                }
            }
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

/// Kills a worker whose current layout runs past the time limit.
struct Watch {
    pid: u32,
    limit: Duration,
    /// When the layout under way began; `None` once the worker is done with.
    began: std::sync::Mutex<Option<std::time::Instant>>,
    ended: std::sync::atomic::AtomicBool,
    killed: std::sync::atomic::AtomicBool,
}

impl Watch {
    fn new(pid: u32, limit: Duration) -> Self {
        Self {
            pid,
            limit,
            began: std::sync::Mutex::new(None),
            ended: false.into(),
            killed: false.into(),
        }
    }

    /// The worker begins its next layout now.
    fn began(&self) {
        if let Ok(mut began) = self.began.lock() {
            *began = Some(std::time::Instant::now());
        }
    }

    fn end(&self) {
        self.ended.store(true, Ordering::Release);
    }

    fn killed(&self) -> bool {
        self.killed.load(Ordering::Acquire)
    }

    fn kill_when_late(&self) {
        while !self.ended.load(Ordering::Acquire) {
            std::thread::sleep(Duration::from_millis(50));
            let late = self
                .began
                .lock()
                .is_ok_and(|began| began.is_some_and(|t| t.elapsed() > self.limit));
            if late && !self.killed.swap(true, Ordering::AcqRel) {
                // SAFETY: kill only sends a signal to the worker, which this build started
                // and has not yet waited for, so the pid is still the worker's.
                unsafe {
                    libc::kill(self.pid as libc::pid_t, libc::SIGKILL);
                }
            }
        }
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
