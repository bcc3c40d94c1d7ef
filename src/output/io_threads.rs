//! Threads for file writes. A write mostly waits for the disk (fsync), so there are more of them
//! than cores; they block while there is nothing to write, where rayon's idle threads spin and
//! take CPU time from the render workers beside them.

use std::sync::{Mutex, mpsc};

/// Runs `feed`, which hands items to `work` as they come, while `threads` threads do the work:
/// what `feed` returned, and every result of `work` (in no particular order). If no thread can
/// be started, `feed`'s own thread does the work.
pub fn with_io_threads<T: Send, R: Send, F>(
    threads: usize,
    work: impl Fn(T) -> R + Sync,
    feed: impl FnOnce(&(dyn Fn(T) + Sync)) -> F,
) -> (F, Vec<R>) {
    let (sender, receiver) = mpsc::channel::<T>();
    let receiver = Mutex::new(receiver);
    let next = || receiver.lock().ok()?.recv().ok();
    let (next, work) = (&next, &work);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .filter_map(|_| {
                std::thread::Builder::new()
                    .spawn_scoped(scope, move || {
                        std::iter::from_fn(next).map(work).collect::<Vec<R>>()
                    })
                    .ok()
            })
            .collect();
        if handles.is_empty() {
            let results = Mutex::new(Vec::new());
            let fed = feed(&|item| {
                let result = work(item);
                if let Ok(mut results) = results.lock() {
                    results.push(result);
                }
            });
            return (fed, results.into_inner().unwrap_or_default());
        }
        let fed = feed(&|item| {
            // Only fails if every thread has stopped; their items then have no result.
            let _ = sender.send(item);
        });
        drop(sender);
        let results = handles
            .into_iter()
            .flat_map(|handle| handle.join().unwrap_or_default())
            .collect::<Vec<R>>();
        (fed, results)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_handed_over_is_worked_on_once() {
        let (fed, mut results) = with_io_threads(
            4,
            |n: u32| n * 10,
            |hand| {
                (0..100).for_each(hand);
                "fed"
            },
        );
        results.sort();
        assert_eq!(fed, "fed");
        assert_eq!(results, (0..100).map(|n| n * 10).collect::<Vec<_>>());
    }

    #[test]
    fn without_threads_the_feeding_thread_works() {
        let (_, results) = with_io_threads(0, |n: u32| n + 1, |hand| hand(1));
        assert_eq!(results, vec![2]);
    }
}
