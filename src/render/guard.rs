//! Limits on one layout: how long it may run and how much memory it may hold. Typst cannot be
//! interrupted, so a layout that runs too long (a prose field's endless loop) is left behind on
//! its thread and reported, and the run goes on without it; a layout that asks for too much
//! memory (`#range(2000000000)`, a string doubled thirty times) is stopped at the allocation
//! that would pass the limit, before the allocator would abort the process.
//!
//! In a worker process the worker ends instead (exit code [`OUT_OF_MEMORY_EXIT`]), and the
//! build, which also kills a worker that runs past the time limit, reports the layout it had.
//!
//! A stopped layout is reported at the prose field with code in it that its paper prints
//! ([`Renderer::stopped`]), found in the plan files by its text.
//!
//! Only large allocations are counted (64 KiB and more: the arrays, strings and buffers a
//! runaway grows), so that the guard costs a comparison per allocation.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::Renderer;
use super::schedule::LayoutJob;
use crate::diagnostics::Diagnostic;
use crate::plan::model::{
    DEFAULT_AGENDA_PART_ITEMS, DEFAULT_LAYOUT_MEMORY_MB, DEFAULT_LAYOUT_SECONDS,
};

/// A worker process that a layout took past the memory limit ends with this code.
pub const OUT_OF_MEMORY_EXIT: i32 = 97;

/// Allocations of at least this many bytes are counted against the memory limit.
const LARGE: usize = 64 * 1024;

/// The time and memory one layout may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub time: Duration,
    pub memory_mb: u64,
    /// An agenda of more items than this is laid out in parts of about this many
    /// (`render::parts`), so that its memory is that of a part.
    pub part_items: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            time: Duration::from_secs(DEFAULT_LAYOUT_SECONDS),
            memory_mb: DEFAULT_LAYOUT_MEMORY_MB,
            part_items: DEFAULT_AGENDA_PART_ITEMS as usize,
        }
    }
}

impl Limits {
    /// The limits plan.toml sets under [plan], else the defaults.
    pub fn of(plan: &crate::plan::model::PlanInfo) -> Self {
        let default = Self::default();
        Self {
            time: plan
                .layout_seconds
                .as_ref()
                .map_or(default.time, |s| Duration::from_secs(*s.get_ref())),
            memory_mb: plan
                .layout_memory_mb
                .as_ref()
                .map_or(default.memory_mb, |mb| *mb.get_ref()),
            part_items: plan
                .agenda_part_items
                .as_ref()
                .map_or(default.part_items, |n| {
                    usize::try_from(*n.get_ref()).unwrap_or(default.part_items)
                }),
        }
    }

    fn memory_bytes(&self) -> u64 {
        self.memory_mb.saturating_mul(1024 * 1024)
    }

    /// What the diagnostic of a layout that `ran` says, at its document.
    pub(super) fn exceeded(&self, ran: Runaway) -> String {
        match ran {
            Runaway::Time => format!(
                "laying out took longer than {} s, and was stopped",
                self.time.as_secs()
            ),
            Runaway::Memory => format!(
                "laying out needed more than {} MB of memory, and was stopped",
                self.memory_mb
            ),
        }
    }
}

/// Why a layout was stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Runaway {
    Time,
    Memory,
}

impl Renderer {
    /// The diagnostic of a layout stopped for `ran`: at the prose field with code in it that
    /// the paper printed (the others such are named too), else at no place.
    pub(super) fn stopped(&self, job: &LayoutJob, ran: Runaway) -> Vec<Diagnostic> {
        let hint = match ran {
            Runaway::Time => {
                "a loop that does not end, or a paper larger than the limit: `layout_seconds` under [plan] in plan.toml raises the limit"
            }
            Runaway::Memory => {
                "a huge array or string, or a paper larger than the limit: `layout_memory_mb` under [plan] in plan.toml raises the limit"
            }
        };
        let mut places =
            crate::plan::strings::places(&self.plan_files, &code_in(&job.view)).into_iter();
        let mut d = Diagnostic::error(format!("{}: {}", job.path, self.limits.exceeded(ran)));
        if let Some((file, span)) = places.next() {
            d = d.at(&file, first_code_line(&file.text, span));
        }
        for (file, span) in places.take(5) {
            let (line, column) = file.line_col(span.start);
            d = d.with_help(format!(
                "the paper also prints code at {}:{line}:{column}",
                file.name
            ));
        }
        vec![d.with_help(hint)]
    }
}

/// The strings of a view with Typst code in them (a `#` not escaped): the prose that can run.
fn code_in(view: &[u8]) -> Vec<String> {
    fn walk(value: serde_json::Value, into: &mut Vec<String>) {
        match value {
            // A string the view holds twice (an item's text and its section) is one place.
            serde_json::Value::String(s) if has_code(&s) && !into.contains(&s) => into.push(s),
            serde_json::Value::Array(values) => values.into_iter().for_each(|v| walk(v, into)),
            serde_json::Value::Object(map) => map.into_iter().for_each(|(_, v)| walk(v, into)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    if let Ok(view) = serde_json::from_slice(view) {
        walk(view, &mut found);
    }
    found
}

/// Within `span` of `text`, the line from its first `#` on: where the code begins.
fn first_code_line(text: &str, span: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let Some(written) = text.get(span.clone()) else {
        return span;
    };
    let Some(hash) = written.find('#') else {
        return span;
    };
    let start = span.start + hash;
    let end = text[start..span.end]
        .find('\n')
        .map_or(span.end, |n| start + n);
    start..end
}

fn has_code(text: &str) -> bool {
    text.match_indices('#')
        .any(|(at, _)| !text[..at].ends_with('\\'))
}

/// The allocator of the `udvalg` binary: `A`, with the memory limit of guarded layouts.
pub struct Guarded<A>(pub A);

/// Bytes of live large allocations, of all threads.
static LARGE_LIVE: AtomicU64 = AtomicU64::new(0);
/// 0 until a run sets it: then no allocation is refused.
static MEMORY_LIMIT: AtomicU64 = AtomicU64::new(0);
/// Set in a render worker process: a layout past the limit ends the process.
static IN_WORKER: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// The slot of the layout this thread renders, while it renders one.
    static GUARDED: Cell<*const Slot> = const { Cell::new(std::ptr::null()) };
    /// The large bytes this thread allocated and has not freed.
    static HELD: Cell<u64> = const { Cell::new(0) };
}

/// Sets the memory limit that guarded layouts are held to from now on.
pub(super) fn set_memory_limit(limits: &Limits) {
    MEMORY_LIMIT.store(limits.memory_bytes(), Ordering::Relaxed);
}

/// This process is a render worker: a layout past the memory limit ends it.
pub(super) fn in_worker() {
    IN_WORKER.store(true, Ordering::Relaxed);
}

fn admit(size: usize) {
    let size = size as u64;
    let total = LARGE_LIVE.fetch_add(size, Ordering::Relaxed) + size;
    HELD.with(|held| held.set(held.get() + size));
    let limit = MEMORY_LIMIT.load(Ordering::Relaxed);
    if limit != 0 && total > limit {
        let slot = GUARDED.with(Cell::get);
        if !slot.is_null() {
            // SAFETY: the slot is set only by `Slot::guard` on this thread, and the thread
            // keeps it alive while it renders.
            stop_for_memory(unsafe { &*slot });
        }
    }
}

fn release(size: usize) {
    let size = size as u64;
    LARGE_LIVE.fetch_sub(size, Ordering::Relaxed);
    HELD.with(|held| held.set(held.get().saturating_sub(size)));
}

/// Parks the thread for good, its layout marked, without allocating: the allocator must not
/// unwind, and returning null would abort the process.
fn stop_for_memory(slot: &Slot) -> ! {
    if IN_WORKER.load(Ordering::Relaxed) {
        // SAFETY: _exit ends the process without running anything of this one.
        unsafe { libc::_exit(OUT_OF_MEMORY_EXIT) }
    }
    // What it holds is lost until the process ends; the other layouts are not charged for it.
    LARGE_LIVE.fetch_sub(HELD.with(Cell::get), Ordering::Relaxed);
    slot.out_of_memory.store(true, Ordering::Release);
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

// SAFETY: every call is passed on to `A` unchanged; only counters are kept beside it.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Guarded<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.size() >= LARGE {
            admit(layout.size());
        }
        // SAFETY: as the caller promised.
        unsafe { self.0.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.size() >= LARGE {
            admit(layout.size());
        }
        // SAFETY: as the caller promised.
        unsafe { self.0.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if layout.size() >= LARGE {
            release(layout.size());
        }
        // SAFETY: as the caller promised.
        unsafe { self.0.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size >= LARGE {
            admit(new_size);
        }
        // SAFETY: as the caller promised.
        let moved = unsafe { self.0.realloc(ptr, layout, new_size) };
        if moved.is_null() {
            if new_size >= LARGE {
                release(new_size);
            }
        } else if layout.size() >= LARGE {
            release(layout.size());
        }
        moved
    }
}

/// Starts the time limit of this thread's layout again: it waited (for another agenda in
/// parts) and did not run meanwhile.
pub(super) fn restart_clock() {
    let slot = GUARDED.with(Cell::get);
    if slot.is_null() {
        return;
    }
    // SAFETY: as in `admit`: set by `Slot::guard` on this thread, alive while it renders.
    let slot = unsafe { &*slot };
    if let Ok(mut current) = slot.current.lock()
        && let Some((_, started)) = current.as_mut()
    {
        *started = Instant::now();
    }
}

/// A render thread's current layout, as its watchdog sees it.
#[derive(Default)]
pub(super) struct Slot {
    /// The layout under way (its place in the run) and when it began.
    current: Mutex<Option<(usize, Instant)>>,
    out_of_memory: AtomicBool,
    /// Set when the run has gone on without this thread: it takes no more layouts.
    abandoned: AtomicBool,
}

impl Slot {
    /// Runs `layout` as layout `position` of the run, guarded by this slot.
    pub(super) fn guard<R>(&self, position: usize, layout: impl FnOnce() -> R) -> R {
        if let Ok(mut current) = self.current.lock() {
            *current = Some((position, Instant::now()));
        }
        GUARDED.with(|slot| slot.set(self));
        let result = layout();
        GUARDED.with(|slot| slot.set(std::ptr::null()));
        if let Ok(mut current) = self.current.lock() {
            *current = None;
        }
        result
    }

    /// The layout under way, if it has run past `limit` or out of memory.
    pub(super) fn runaway(&self, limit: Duration) -> Option<(usize, Runaway)> {
        let (position, started) = (*self.current.lock().ok()?)?;
        if self.out_of_memory.load(Ordering::Acquire) {
            Some((position, Runaway::Memory))
        } else if started.elapsed() > limit {
            Some((position, Runaway::Time))
        } else {
            None
        }
    }

    pub(super) fn abandon(&self) {
        self.abandoned.store(true, Ordering::Release);
    }

    pub(super) fn is_abandoned(&self) -> bool {
        self.abandoned.load(Ordering::Acquire)
    }
}
