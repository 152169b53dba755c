//! Where judging an organization runs: its checks are milliseconds of CPU
//! (a large organization, or 50 at once in a fleet), so they run off the
//! async workers, and while other organizations' facts are still being
//! read, at most one core fewer than the machine has judges at once.
//!
//! Without the limit, a fleet's organizations that become ready together
//! (all waiting for the same directory) took every core, and the answers
//! still arriving for the others sat unread until they were done; with it
//! the fleet of 50 went from 0.82 to 0.76 s (docs/performance.md). Once
//! nothing is being read, the judgings still waiting have every core: the
//! last of them are all that is left to do.

use std::sync::{Condvar, Mutex, MutexGuard, OnceLock};

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

/// Held while an organization's facts are being read: judging leaves a core
/// for the answers (see the module's documentation).
pub(crate) fn reading() -> Reading<'static> {
    Reading::start(gate())
}

/// The turns taken, the readers, and the signal that either went down.
struct Gate {
    cores: usize,
    now: Mutex<Counts>,
    changed: Condvar,
}

#[derive(Default)]
struct Counts {
    judging: usize,
    reading: usize,
}

/// The process's gate, one turn per core.
fn gate() -> &'static Gate {
    static GATE: OnceLock<Gate> = OnceLock::new();
    GATE.get_or_init(|| Gate::new(std::thread::available_parallelism().map_or(1, |n| n.get())))
}

impl Gate {
    fn new(cores: usize) -> Gate {
        Gate {
            cores: cores.max(1),
            now: Mutex::new(Counts::default()),
            changed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Counts> {
        self.now.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Judgings allowed at once: a core is left over while anything is
    /// being read (there is always at least one turn).
    fn turns(&self, reading: usize) -> usize {
        if reading > 0 {
            (self.cores - 1).max(1)
        } else {
            self.cores
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
        let mut now = gate.lock();
        while now.judging >= gate.turns(now.reading) {
            now = gate.changed.wait(now).unwrap_or_else(|e| e.into_inner());
        }
        now.judging += 1;
        Turn { gate }
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        self.gate.lock().judging -= 1;
        self.gate.changed.notify_one();
    }
}

/// One organization's reading, counted until dropped.
pub(crate) struct Reading<'a> {
    gate: &'a Gate,
}

impl<'a> Reading<'a> {
    fn start(gate: &'a Gate) -> Reading<'a> {
        gate.lock().reading += 1;
        Reading { gate }
    }
}

impl Drop for Reading<'_> {
    fn drop(&mut self) {
        let mut now = self.gate.lock();
        now.reading -= 1;
        if now.reading == 0 {
            // Every waiting judging may now have a turn of the freed core.
            drop(now);
            self.gate.changed.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn a_gate_leaves_one_core_while_reading_and_gives_at_least_one_turn() {
        assert_eq!((Gate::new(8).turns(1), Gate::new(8).turns(0)), (7, 8));
        assert_eq!((Gate::new(2).turns(3), Gate::new(2).turns(0)), (1, 2));
        assert_eq!((Gate::new(1).turns(1), Gate::new(0).turns(0)), (1, 1));
    }

    /// Runs `n` judgings of 5 ms on threads through `gate`; the most that
    /// ran at once.
    fn most_at_once(gate: &'static Gate, n: usize) -> usize {
        let (now, most, ran) = (
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicUsize::new(0)),
        );
        let threads: Vec<_> = (0..n)
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
        assert_eq!(ran.load(Ordering::SeqCst), n, "every judging ran");
        assert_eq!(gate.lock().judging, 0, "every turn given back");
        most.load(Ordering::SeqCst)
    }

    #[test]
    fn no_more_than_the_turns_run_at_once_and_every_one_runs() {
        let gate: &'static Gate = Box::leak(Box::new(Gate::new(3)));
        let reading = Reading::start(gate);
        assert!(most_at_once(gate, 8) <= 2, "two turns on three cores");
        drop(reading);
        assert_eq!(gate.lock().reading, 0);
        assert!(most_at_once(gate, 8) <= 3, "three once nothing is read");
    }

    #[test]
    fn the_last_reading_done_lets_a_waiting_judging_take_the_freed_core() {
        let gate: &'static Gate = Box::leak(Box::new(Gate::new(2)));
        let reading = Reading::start(gate);
        let first = Turn::wait(gate);
        let (tx, rx) = std::sync::mpsc::channel();
        let second = std::thread::spawn(move || {
            let _turn = Turn::wait(gate);
            tx.send(()).unwrap();
        });
        let wait = std::time::Duration::from_millis(50);
        assert!(rx.recv_timeout(wait).is_err(), "one turn while reading");
        drop(reading);
        rx.recv_timeout(std::time::Duration::from_secs(10))
            .expect("the second judging ran beside the first");
        second.join().unwrap();
        drop(first);
        assert_eq!(gate.lock().judging, 0);
    }
}
