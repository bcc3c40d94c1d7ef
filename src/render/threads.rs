//! Rendering on this process's threads, each taking the next layout from one queue, under the
//! watch of [`guard`](super::guard): a layout that runs past its limit is reported and left
//! behind, and a new thread takes the rest of the queue.

use std::ops::Range;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use super::guard::{self, Slot};
use super::schedule::{LayoutJob, not_rendered};
use super::{
    Done, LAYOUTS_PER_TRIM, RENDER_STACK_BYTES, RenderResult, RenderRun, Renderer, TRIM_FROM,
    trim_memo_cache,
};

/// How often the threads' layouts are looked at.
const WATCH_EVERY: Duration = Duration::from_millis(50);

/// A layout's results, by its place in the run, and how long it took.
type Answer = (usize, Vec<RenderResult>, Duration);

/// What the render threads of a run share.
struct Queue {
    renderer: Renderer,
    jobs: Arc<[LayoutJob]>,
    /// The jobs' places in the order they are taken.
    order: Vec<usize>,
    next: AtomicUsize,
    finished: AtomicUsize,
    trims: bool,
    threads: usize,
}

impl Renderer {
    /// Renders with `threads` threads of this process, each taking the next layout from one
    /// queue: the results by the index of their document in the run.
    pub(super) fn render_in_threads(
        &self,
        threads: usize,
        (jobs, runs): (&Arc<[LayoutJob]>, &[Range<usize>]),
        done: Done,
    ) -> RenderRun<(usize, RenderResult)> {
        guard::set_memory_limit(&self.limits);
        let queue = Arc::new(Queue {
            renderer: self.clone(),
            jobs: jobs.clone(),
            order: runs.iter().flat_map(|run| run.clone()).collect(),
            next: AtomicUsize::new(0),
            finished: AtomicUsize::new(0),
            trims: jobs.len() >= TRIM_FROM,
            threads,
        });
        let (answers, answered) = mpsc::channel::<Answer>();
        let mut slots: Vec<Arc<Slot>> = Vec::new();
        for _ in 0..threads.min(jobs.len()).max(1) {
            match start(&queue, &answers) {
                Ok(slot) => slots.push(slot),
                Err(_) if !slots.is_empty() => break,
                Err(e) => return cannot_start(jobs, done, &e),
            }
        }
        let mut results = Vec::new();
        let mut busy = Duration::ZERO;
        let mut open = vec![true; jobs.len()];
        let mut remaining = jobs.len();
        while remaining > 0 {
            match answered.recv_timeout(WATCH_EVERY) {
                Ok((position, answer, took)) => {
                    if std::mem::take(&mut open[position]) {
                        remaining -= 1;
                        busy += took;
                        jobs[position].finish(answer, done, &mut results);
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
            for slot in &mut slots {
                let Some((position, ran)) = slot.runaway(self.limits.time) else {
                    continue;
                };
                slot.abandon();
                if std::mem::take(&mut open[position]) {
                    remaining -= 1;
                    let job = &jobs[position];
                    let stopped = job.outputs.iter().map(|_| Err(self.stopped(job, ran)));
                    job.finish(stopped, done, &mut results);
                }
                // The rest of the queue needs a thread; if none starts, the others finish it.
                if let Ok(fresh) = start(&queue, &answers) {
                    *slot = fresh;
                }
            }
        }
        RenderRun {
            results,
            workers: 0,
            busy,
        }
    }

    /// [`Self::render_layout`], and how long it took.
    pub(super) fn render_timed(&self, job: &LayoutJob) -> (Vec<RenderResult>, Duration) {
        let started = Instant::now();
        let results = self.render_layout(job);
        (results, started.elapsed())
    }
}

/// Starts rendering `queue` on a thread of its own, answering on `answers`: its slot. The thread
/// is a rayon pool of one, so that Typst's own parallel work runs on the thread that asked for
/// it, as on the pool of a whole run, and a layout left behind holds no thread that anything
/// else waits for.
fn start(queue: &Arc<Queue>, answers: &mpsc::Sender<Answer>) -> std::io::Result<Arc<Slot>> {
    let slot = Arc::new(Slot::default());
    let (queue, answers, mine) = (queue.clone(), answers.clone(), slot.clone());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .stack_size(RENDER_STACK_BYTES)
        .thread_name(|_| "udvalg-render".into())
        .build()
        .map_err(std::io::Error::other)?;
    // The pool's thread ends when this, its only work, is done (or never, if left behind).
    pool.spawn(move || render_queue(&queue, &answers, &mine));
    Ok(slot)
}

/// Takes layouts from `queue` until it is empty or the run has gone on without this thread.
fn render_queue(queue: &Queue, answers: &mpsc::Sender<Answer>, slot: &Slot) {
    while !slot.is_abandoned() {
        let Some(&position) = queue.order.get(queue.next.fetch_add(1, Ordering::Relaxed)) else {
            return;
        };
        let job = &queue.jobs[position];
        let (results, took) = slot.guard(position, || {
            std::panic::catch_unwind(AssertUnwindSafe(|| queue.renderer.render_timed(job)))
                .unwrap_or_else(|_| {
                    let failed = not_rendered(&job.path, "Typst stopped with an internal error");
                    (
                        job.outputs.iter().map(|_| Err(failed.clone())).collect(),
                        Duration::ZERO,
                    )
                })
        });
        if slot.is_abandoned() || answers.send((position, results, took)).is_err() {
            return;
        }
        let finished = queue.finished.fetch_add(1, Ordering::Relaxed) + 1;
        if queue.trims && finished.is_multiple_of(queue.threads * LAYOUTS_PER_TRIM) {
            trim_memo_cache();
        }
    }
}

/// Every job failed: no render thread would start.
fn cannot_start(
    jobs: &[LayoutJob],
    done: Done,
    error: &std::io::Error,
) -> RenderRun<(usize, RenderResult)> {
    let mut results = Vec::new();
    for job in jobs {
        let failed = not_rendered(&job.path, &format!("cannot start a render thread: {error}"));
        job.finish(
            job.outputs.iter().map(|_| Err(failed.clone())),
            done,
            &mut results,
        );
    }
    RenderRun {
        results,
        workers: 0,
        busy: Duration::ZERO,
    }
}
