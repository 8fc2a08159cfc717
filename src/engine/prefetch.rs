//! Asking the processor for memory that will be read soon.
//!
//! Once a network outgrows the caches, the neuron records an epoch's lanes reach and the
//! synapse rows its spikes send along are scattered misses: the next one is known several steps
//! ahead (lanes are in neuron order, spikes are sorted), but the hardware prefetchers cannot see
//! an irregular stride. A hint a few items ahead overlaps those misses with the work in between.
//! A hint never changes a result; out-of-range indices are ignored.

/// Hints that `items[i]` will be read soon (into every cache level).
#[inline(always)]
pub fn prefetch<T>(items: &[T], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(x) = items.get(i) {
        // SAFETY: SSE (which has the instruction) is part of every x86-64 processor, and a
        // prefetch of a valid address has no effect but on the caches.
        unsafe {
            std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                (x as *const T).cast::<i8>(),
            )
        };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (items, i);
}
