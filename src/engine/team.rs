//! A team of worker threads that stays up for a whole simulation run and takes a job per epoch
//! (send the last epoch's spikes, sort events into lanes, advance neurons), as NEST's and
//! Arbor's threads do. An epoch of a mid-sized network lasts tens of microseconds: waking pooled
//! threads for every job (rayon's fork and join) cost more than the job itself, so the helpers
//! wait for the next job spinning for a while (about 150 µs), and only then sleep until woken —
//! so they leave the cores to other work (rayon's, in bit projections) during long serial
//! stretches.
//!
//! The caller is member 0 and works too; `run` returns when every member has finished the job,
//! so a job may borrow what the caller owns.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

/// A job as the helpers see it: the caller's closure with its lifetime erased. `run` keeps the
/// closure alive until every helper has returned from it.
#[derive(Clone, Copy)]
struct Job(*const (dyn Fn(usize) + Sync + 'static));

// SAFETY: the closure behind the pointer is `Sync` and outlives every use (see `Team::run`).
unsafe impl Send for Job {}

#[derive(Default)]
struct Shared {
    generation: AtomicU64,
    remaining: AtomicUsize,
    stop: AtomicBool,
    panicked: AtomicBool,
    job: Mutex<Option<Job>>,
    /// Helpers asleep (or about to be) on `wake`, which `bell` guards.
    sleepers: AtomicUsize,
    bell: Mutex<()>,
    wake: Condvar,
}

/// Spins a helper makes waiting for a job before it sleeps (a spin is one `pause`, about 9 ns
/// on this machine's processor: about 150 µs). Waking a sleeping helper costs the caller a
/// system call and the helper often tens of microseconds or more (its core may be idle in a
/// virtual machine): with 37 µs (2^12 spins), a helper at cuba_ed 40 000 slept ~200 times per
/// simulated second and two threads were ~4 % slower (seven alternated pairs).
const SPINS_BEFORE_SLEEP: u32 = 1 << 14;

/// Spins the caller makes waiting for the helpers to finish a job before it yields its core
/// (about 1 ms): they are working, so yielding early only delays noticing that they are done.
const CALLER_SPINS: u32 = 1 << 17;

/// Worker threads for one simulation run (see the module's text).
pub struct Team<'a> {
    shared: Option<&'a Shared>,
    size: usize,
}

/// Sets `stop` when the body returns or unwinds, so the helpers leave and the scope ends.
struct StopOnDrop<'a>(&'a Shared);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.stop.store(true, Ordering::SeqCst);
        self.0.ring();
    }
}

impl Shared {
    /// Wakes the sleeping helpers (after a new job or `stop` was published).
    fn ring(&self) {
        if self.sleepers.load(Ordering::SeqCst) > 0 {
            let _guard = self.bell.lock();
            self.wake.notify_all();
        }
    }

    /// Sleeps until the generation moves past `seen` or the team stops.
    fn sleep(&self, seen: u64) {
        let Ok(mut guard) = self.bell.lock() else {
            return;
        };
        self.sleepers.fetch_add(1, Ordering::SeqCst);
        // Checked after announcing the sleep: a job published before this was seen here, one
        // published after it rings the bell.
        while self.generation.load(Ordering::SeqCst) == seen && !self.stop.load(Ordering::SeqCst) {
            match self.wake.wait(guard) {
                Ok(g) => guard = g,
                Err(_) => break,
            }
        }
        self.sleepers.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Waits a little: spin first, then give the core away.
fn pause(waited: &mut u32) {
    *waited = waited.saturating_add(1);
    if *waited < CALLER_SPINS {
        std::hint::spin_loop();
    } else {
        std::thread::yield_now();
    }
}

fn helper(shared: &Shared, member: usize) {
    let mut seen = 0;
    loop {
        let mut waited = 0u32;
        loop {
            let g = shared.generation.load(Ordering::SeqCst);
            if g != seen {
                seen = g;
                break;
            }
            if shared.stop.load(Ordering::SeqCst) {
                return;
            }
            waited += 1;
            if waited < SPINS_BEFORE_SLEEP {
                std::hint::spin_loop();
            } else {
                shared.sleep(seen);
                waited = 0;
            }
        }
        let job = shared.job.lock().ok().and_then(|j| *j);
        if let Some(Job(f)) = job {
            // SAFETY: `run` published this job and waits for `remaining` to reach zero before
            // its closure goes out of scope.
            let f = unsafe { &*f };
            if catch_unwind(AssertUnwindSafe(|| f(member))).is_err() {
                shared.panicked.store(true, Ordering::Release);
            }
        }
        shared.remaining.fetch_sub(1, Ordering::Release);
    }
}

/// A team of one: jobs run on the caller's thread.
pub const SOLO: Team<'static> = Team {
    shared: None,
    size: 1,
};

impl Team<'_> {
    /// Runs `body` with a team of `size` members (the caller and `size - 1` helper threads,
    /// which end with it).
    pub fn with<R>(size: usize, body: impl FnOnce(&Team) -> R) -> R {
        if size <= 1 {
            return body(&SOLO);
        }
        let shared = Shared::default();
        std::thread::scope(|s| {
            for member in 1..size {
                let shared = &shared;
                s.spawn(move || helper(shared, member));
            }
            let _stop = StopOnDrop(&shared);
            body(&Team {
                shared: Some(&shared),
                size,
            })
        })
    }

    pub fn size(&self) -> usize {
        self.size
    }

    /// Calls `f(member)` on every member at once; returns when all have finished.
    pub fn run(&self, f: &(dyn Fn(usize) + Sync)) {
        let Some(shared) = self.shared else {
            f(0);
            return;
        };
        // SAFETY: only the lifetime is erased; this function does not return (nor unwind)
        // before every helper has finished with `f` (`remaining` back at zero).
        let job = Job(unsafe {
            std::mem::transmute::<*const (dyn Fn(usize) + Sync + '_), *const (dyn Fn(usize) + Sync + 'static)>(
                f,
            )
        });
        if let Ok(mut slot) = shared.job.lock() {
            *slot = Some(job);
        }
        shared.remaining.store(self.size - 1, Ordering::SeqCst);
        shared.generation.fetch_add(1, Ordering::SeqCst);
        shared.ring();
        let mine = catch_unwind(AssertUnwindSafe(|| f(0)));
        let mut waited = 0;
        while shared.remaining.load(Ordering::Acquire) > 0 {
            pause(&mut waited);
        }
        if let Ok(mut slot) = shared.job.lock() {
            *slot = None;
        }
        if let Err(p) = mine {
            std::panic::resume_unwind(p);
        }
        if shared.panicked.swap(false, Ordering::AcqRel) {
            panic!("a worker thread of the simulation panicked");
        }
    }

    /// Calls `f(i, &mut items[i])` for every item, the items shared out among the members.
    pub fn for_each<T: Send>(&self, items: &mut [T], f: &(dyn Fn(usize, &mut T) + Sync)) {
        if self.size == 1 || items.len() <= 1 {
            for (i, item) in items.iter_mut().enumerate() {
                f(i, item);
            }
            return;
        }
        let n = items.len();
        let base = ItemsPtr(items.as_mut_ptr());
        let size = self.size;
        self.run(&|member| {
            let mut i = member;
            while i < n {
                // SAFETY: member m takes the items i ≡ m (mod size), so no two members touch
                // the same item, and `items` stays borrowed until `run` returns.
                let item = unsafe { &mut *base.get().add(i) };
                f(i, item);
                i += size;
            }
        });
    }
}

/// The items of `for_each`, shared out by index.
struct ItemsPtr<T>(*mut T);

impl<T> ItemsPtr<T> {
    fn get(&self) -> *mut T {
        self.0
    }
}

// SAFETY: each member dereferences distinct indices only (see `for_each`); T is Send.
unsafe impl<T: Send> Sync for ItemsPtr<T> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_is_visited_once_whatever_the_team_size() {
        for size in 1..=4 {
            Team::with(size, |team| {
                assert_eq!(team.size(), size);
                for n in [0, 1, 2, 3, 7, 100] {
                    for round in 0..50u64 {
                        let mut items: Vec<(usize, u64)> = vec![(usize::MAX, 0); n];
                        team.for_each(&mut items, &|i, item| {
                            item.0 = i;
                            item.1 += round + 1;
                        });
                        for (i, item) in items.iter().enumerate() {
                            assert_eq!(*item, (i, round + 1));
                        }
                    }
                }
            });
        }
    }

    #[test]
    fn a_panicking_job_is_reported_not_hung() {
        let caught = catch_unwind(|| {
            Team::with(2, |team| {
                let mut items = vec![0u8; 4];
                team.for_each(&mut items, &|i, _| assert!(i != 3, "item 3"));
            })
        });
        assert!(caught.is_err());
    }
}
