//! Rendering on this process's threads, each taking the next layout from one queue.

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::schedule::LayoutJob;
use super::{
    Done, LAYOUTS_PER_TRIM, RenderResult, RenderRun, Renderer, TRIM_FROM, trim_memo_cache,
};

impl Renderer {
    /// Renders with this process's threads, each taking the next layout from one queue: the
    /// results by the index of their document in the run.
    pub(super) fn render_in_threads(
        &self,
        threads: usize,
        (queue, runs): (&[LayoutJob], &[Range<usize>]),
        done: Done,
    ) -> RenderRun<(usize, RenderResult)> {
        let order: Vec<&LayoutJob> = runs.iter().flat_map(|run| &queue[run.clone()]).collect();
        let trims = queue.len() >= TRIM_FROM;
        let next = AtomicUsize::new(0);
        let finished = AtomicUsize::new(0);
        let rendered: Vec<(Vec<(usize, RenderResult)>, Duration)> = (0..threads)
            .into_par_iter()
            .with_max_len(1)
            .map(|_| {
                let mut mine = Vec::new();
                let mut busy = Duration::ZERO;
                while let Some(job) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let (results, took) = self.render_timed(job);
                    busy += took;
                    job.finish(results, done, &mut mine);
                    let finished = finished.fetch_add(1, Ordering::Relaxed) + 1;
                    if trims && finished.is_multiple_of(threads * LAYOUTS_PER_TRIM) {
                        trim_memo_cache();
                    }
                }
                (mine, busy)
            })
            .collect();
        let busy = rendered.iter().map(|(_, busy)| *busy).sum();
        RenderRun {
            results: rendered.into_iter().flat_map(|(mine, _)| mine).collect(),
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
