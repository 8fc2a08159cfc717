//! Pages of a large array made ready by a background thread before the run writes them.
//!
//! A zero-initialised array (`vec![0.0; n]`) gets its pages from the system only when each page
//! is first written, one page fault (and one page of zeroes) at a time, on the thread that
//! writes. The Kanerva-scale cerebellum's plastic parallel-fibre weights are 4 GB written row by
//! row by the climbing-fibre rule on the calling thread: about 10⁶ faults there, ~4 s of that
//! thread's time while the other core waits. Linux (5.14 and later) can fault a range in
//! without touching its contents (`MADV_POPULATE_WRITE`); a background thread asks for it chunk
//! by chunk while the simulation runs, at idle priority (it takes only what the simulation's
//! threads leave: at Kanerva's scale ~5 s of a core's time, mostly while the calling thread
//! runs serial work and the other core would wait). The contents never change (the pages are
//! mapped as the simulation's own first write would map them), so results cannot depend on it;
//! elsewhere, or when the system refuses, nothing happens.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

/// Ranges smaller than this are left to ordinary faults (a thread would cost more).
const MIN_BYTES: usize = 64 << 20;

/// Bytes asked for per call, so that a stop request is heard soon.
const CHUNK_BYTES: usize = 32 << 20;

/// A background thread making a range's pages ready; stopped (and joined) when dropped, which
/// must happen before the range is freed.
pub struct Populator {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Populator {
    /// Starts making the pages of `values` ready for writing, if they are many and the system
    /// can. The caller keeps `values` allocated (and not moved) until the populator is dropped.
    pub fn start<T>(values: &[T]) -> Option<Populator> {
        let bytes = std::mem::size_of_val(values);
        if bytes < MIN_BYTES || !cfg!(target_os = "linux") {
            return None;
        }
        let start = values.as_ptr() as usize;
        let stop = Arc::new(AtomicBool::new(false));
        let stop_here = Arc::clone(&stop);
        let handle = std::thread::Builder::new()
            .name("populate".into())
            .spawn(move || populate(start, bytes, &stop_here))
            .ok()?;
        Some(Populator {
            stop,
            handle: Some(handle),
        })
    }
}

impl Drop for Populator {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            // A panic in the thread changed no memory: nothing to report.
            let _ = h.join();
        }
    }
}

#[cfg(target_os = "linux")]
fn populate(start: usize, bytes: usize, stop: &AtomicBool) {
    const PAGE: usize = 4096;
    // Only on a core that nothing else wants (Linux's SCHED_IDLE): the simulation's own
    // threads come first. Where refused, at the lowest ordinary priority.
    // SAFETY: plain system calls about the calling thread (`0`), with a valid parameter.
    unsafe {
        let param = libc::sched_param { sched_priority: 0 };
        if libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) != 0 {
            libc::setpriority(libc::PRIO_PROCESS, 0, 19);
        }
    }
    let (first, end) = (start.next_multiple_of(PAGE), start + bytes);
    let mut at = first;
    while at < end && !stop.load(Ordering::Relaxed) {
        let len = CHUNK_BYTES.min(end - at) / PAGE * PAGE;
        if len == 0 {
            return;
        }
        // SAFETY: [at, at + len) lies within the caller's allocation, which outlives this
        // thread (`Populator::drop` joins it first); MADV_POPULATE_WRITE maps the pages as a
        // write would, without changing a byte of their contents.
        let r = unsafe { libc::madvise(at as *mut libc::c_void, len, libc::MADV_POPULATE_WRITE) };
        if r != 0 {
            return; // refused (an older kernel, or memory short): writes fault as usual
        }
        at += len;
    }
}

#[cfg(not(target_os = "linux"))]
fn populate(_start: usize, _bytes: usize, _stop: &AtomicBool) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn populating_changes_no_value_and_stops_when_dropped() {
        let n = (MIN_BYTES / 4) * 2;
        let mut v = vec![0.0f32; n];
        v[12_345] = 2.5;
        let p = Populator::start(&v);
        assert_eq!(p.is_some(), cfg!(target_os = "linux"));
        // Written while the pages are being made ready.
        for i in (0..n).step_by(4097) {
            v[i] += 1.0;
        }
        drop(p);
        let sum: f64 = v.iter().map(|&x| f64::from(x)).sum();
        assert_eq!(sum, n.div_ceil(4097) as f64 + 2.5);
        assert!(Populator::start(&v[..16]).is_none());
    }
}
