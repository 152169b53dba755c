//! The request budget: how many requests of one client are in flight at
//! once. A request waiting for a place is let in by its priority (lowest
//! first), then in the order it asked.
//!
//! Work that runs many independent jobs over one client (the fleet: every
//! organization at once) gives each job its place in the list as its
//! priority ([`with_priority`]). The first jobs then finish first, and what
//! they do with their answers (the checks, CPU) runs while the later jobs'
//! requests are still on their way, instead of every job reaching its last
//! round together at the end and all the checks running after the last
//! answer. A request outside any such job has priority 0.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Mutex;

use tokio::sync::oneshot;

tokio::task_local! {
    static PRIORITY: u64;
}

/// Run `work` with its requests let in at priority `priority` (lower first).
/// (A plain function, not `async`: an `async fn` would hold `work` twice,
/// and a fleet organization's work is a large future.)
pub fn with_priority<F: Future>(priority: u64, work: F) -> impl Future<Output = F::Output> {
    PRIORITY.scope(priority, work)
}

/// Run `work` that every job waits for (a read shared by all of them,
/// whichever job happened to start it): its requests are let in first.
pub fn shared_first<F: Future>(work: F) -> impl Future<Output = F::Output> {
    with_priority(0, work)
}

/// How many places earlier in the list a [`leading`] read is let in.
const LEAD: u64 = 8;

/// Run `work`, a read whose answer starts the job's further reads (the
/// administrators' group before its members, the projects before their
/// service connections): let in as if its job were `LEAD` (8) places earlier
/// in the list. The last jobs' chains then start soon enough to end with
/// everyone else's reads, not in a tail of their own.
/// (The job's priority is read when `work` starts, so a leading read built
/// outside its job's scope still counts from the job's place; meant for
/// single reads, whose futures are small.)
pub async fn leading<F: Future>(work: F) -> F::Output {
    let job = current_priority();
    with_priority(job.saturating_sub(LEAD), work).await
}

fn current_priority() -> u64 {
    PRIORITY.try_with(|p| *p).unwrap_or(0)
}

/// Places for requests in flight.
#[derive(Debug)]
pub(crate) struct Budget {
    inner: Mutex<Inner>,
}

#[derive(Debug)]
struct Inner {
    free: usize,
    /// Asked in this order, so equal priorities are let in first come.
    asked: u64,
    /// By (priority, order asked). An entry whose request gave up stays
    /// until it would be let in; its place then goes to the next one.
    waiting: BTreeMap<(u64, u64), oneshot::Sender<()>>,
}

/// A place in flight, given back when dropped.
pub(crate) struct Place<'a> {
    budget: &'a Budget,
}

impl Drop for Place<'_> {
    fn drop(&mut self) {
        self.budget.give_back();
    }
}

/// A request waiting for a place; if it gives up after a place was handed
/// to it, the place is given back.
struct Waiting<'a> {
    budget: &'a Budget,
    handed: Option<oneshot::Receiver<()>>,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        if let Some(mut rx) = self.handed.take() {
            rx.close();
            if rx.try_recv().is_ok() {
                self.budget.give_back();
            }
        }
    }
}

impl Budget {
    pub(crate) fn new(places: usize) -> Self {
        Budget {
            inner: Mutex::new(Inner {
                free: places.max(1),
                asked: 0,
                waiting: BTreeMap::new(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wait for a place, at the current task's priority.
    pub(crate) async fn place(&self) -> Place<'_> {
        let rx = {
            let mut inner = self.lock();
            // A free place means nobody is waiting: places are handed to
            // waiting requests before they become free.
            if inner.free > 0 {
                inner.free -= 1;
                return Place { budget: self };
            }
            let (tx, rx) = oneshot::channel();
            let key = (current_priority(), inner.asked);
            inner.asked += 1;
            inner.waiting.insert(key, tx);
            rx
        };
        let mut waiting = Waiting {
            budget: self,
            handed: Some(rx),
        };
        if let Some(rx) = waiting.handed.as_mut() {
            // The sender is only dropped after handing over, or with the
            // budget itself (which this borrow keeps alive).
            let _ = rx.await;
        }
        waiting.handed = None;
        Place { budget: self }
    }

    /// Hand a place to the first waiting request still waiting, else free it.
    fn give_back(&self) {
        let mut inner = self.lock();
        while let Some((_, tx)) = inner.waiting.pop_first() {
            if tx.send(()).is_ok() {
                return;
            }
        }
        inner.free += 1;
    }

    #[cfg(test)]
    fn free(&self) -> usize {
        self.lock().free
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// Let every spawned task run until it waits.
    async fn settle() {
        for _ in 0..20 {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test]
    async fn waiting_requests_are_let_in_by_priority_then_in_order() {
        let budget = Arc::new(Budget::new(1));
        let first = budget.place().await;
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        // Asked in this order: (name, priority).
        for (name, priority) in [("c1", 2), ("a1", 0), ("b1", 1), ("a2", 0), ("c2", 2)] {
            let (budget, order) = (Arc::clone(&budget), Arc::clone(&order));
            tasks.push(tokio::spawn(with_priority(priority, async move {
                let _place = budget.place().await;
                order.lock().unwrap().push(name);
            })));
            settle().await;
        }
        drop(first);
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), ["a1", "a2", "b1", "c1", "c2"]);
        assert_eq!(budget.free(), 1, "every place given back");
    }

    #[tokio::test]
    async fn a_request_that_gives_up_loses_no_place() {
        let budget = Budget::new(1);
        // Gives up while waiting: its entry is passed over.
        let held = budget.place().await;
        {
            let mut asking = Box::pin(budget.place());
            assert!(futures_util::poll!(&mut asking).is_pending());
        }
        drop(held);
        assert_eq!(budget.free(), 1);
        // Handed the place, then gives up before it looks: given back.
        let held = budget.place().await;
        {
            let mut asking = Box::pin(budget.place());
            assert!(futures_util::poll!(&mut asking).is_pending());
            drop(held);
        }
        assert_eq!(budget.free(), 1);
        let _again = budget.place().await;
        assert_eq!(budget.free(), 0);
    }

    #[tokio::test]
    async fn a_leading_read_is_let_in_as_if_its_job_were_earlier() {
        let lead = |job| with_priority(job, leading(async { current_priority() }));
        assert_eq!(lead(20).await, 20 - LEAD);
        assert_eq!(lead(3).await, 0, "never before the shared reads");
        // Only the leading read itself; the job's other reads keep its place.
        let rest = with_priority(20, async {
            let _ = leading(async {}).await;
            current_priority()
        });
        assert_eq!(rest.await, 20);
    }

    #[tokio::test]
    async fn outside_any_job_a_request_has_priority_zero() {
        assert_eq!(current_priority(), 0);
        assert_eq!(with_priority(7, async { current_priority() }).await, 7);
    }
}
