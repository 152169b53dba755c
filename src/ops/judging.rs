//! Where judging an organization runs: its checks are milliseconds of CPU
//! (a large organization, or 50 at once in a fleet), so they run off the
//! async workers, and at most one core fewer than the machine has judges at
//! once.
//!
//! Without the limit, a fleet's organizations that become ready together
//! (all waiting for the same directory) took every core, and the answers
//! still arriving for the others sat unread until they were done; with it
//! the fleet of 50 went from 0.82 to 0.76 s (docs/performance.md).

use std::sync::{Condvar, Mutex, OnceLock};

/// Run CPU-heavy `work` so the runtime's other tasks keep being polled
/// meanwhile: on a multi-threaded runtime this worker hands its other tasks
/// over while `work` runs here (the same thread, so the same allocator
/// arena: a thread of its own held tens of MiB more at 100,000 users), once
/// it has a turn; on a single-threaded one it just runs.
pub(crate) fn off_the_workers<T>(work: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(|| {
                let asked = std::time::Instant::now();
                let _turn = Turn::wait(gate());
                let given = std::time::Instant::now();
                let done = work();
                // For the bench's trace (BENCH_TRACE): how long the turn
                // took to come, and the judging itself.
                tracing::debug!(
                    wait_us = (given - asked).as_micros() as u64,
                    work_us = given.elapsed().as_micros() as u64,
                    "judged"
                );
                done
            })
        }
        _ => work(),
    }
}

/// Turns free, and the signal that one was given back.
struct Gate {
    free: Mutex<usize>,
    given_back: Condvar,
}

/// The process's gate: one turn per core, less one for everything else.
fn gate() -> &'static Gate {
    static GATE: OnceLock<Gate> = OnceLock::new();
    GATE.get_or_init(|| Gate::new(std::thread::available_parallelism().map_or(1, |n| n.get())))
}

impl Gate {
    fn new(cores: usize) -> Gate {
        Gate {
            free: Mutex::new(cores.saturating_sub(1).max(1)),
            given_back: Condvar::new(),
        }
    }
}

/// A turn at judging, given back when dropped.
struct Turn<'a> {
    gate: &'a Gate,
}

impl<'a> Turn<'a> {
    /// Wait (blocking the thread) until a turn is free.
    fn wait(gate: &'a Gate) -> Turn<'a> {
        let mut free = gate.free.lock().unwrap_or_else(|e| e.into_inner());
        while *free == 0 {
            free = gate
                .given_back
                .wait(free)
                .unwrap_or_else(|e| e.into_inner());
        }
        *free -= 1;
        Turn { gate }
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        *self.gate.free.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.gate.given_back.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn a_gate_leaves_one_core_and_gives_at_least_one_turn() {
        assert_eq!(*Gate::new(8).free.lock().unwrap(), 7);
        assert_eq!(*Gate::new(2).free.lock().unwrap(), 1);
        assert_eq!(*Gate::new(1).free.lock().unwrap(), 1);
    }

    #[test]
    fn no_more_than_the_turns_run_at_once_and_every_one_runs() {
        let gate: &'static Gate = Box::leak(Box::new(Gate::new(3)));
        let (now, most, ran) = (
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicUsize::new(0)),
        );
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (now, most, ran) = (Arc::clone(&now), Arc::clone(&most), Arc::clone(&ran));
                std::thread::spawn(move || {
                    let _turn = Turn::wait(gate);
                    let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(n, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    now.fetch_sub(1, Ordering::SeqCst);
                    ran.fetch_add(1, Ordering::SeqCst);
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(ran.load(Ordering::SeqCst), 8);
        assert!(most.load(Ordering::SeqCst) <= 2, "two turns on three cores");
        assert_eq!(*gate.free.lock().unwrap(), 2, "every turn given back");
    }
}
