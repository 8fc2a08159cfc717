//! Large arrays on 2 MiB pages (Linux transparent huge pages, asked for with `madvise`).
//!
//! Synapse rows and neuron records are read at scattered places: with 4 KiB pages nearly every
//! spike's row and many neuron updates need a page-table walk, and on a virtual machine (this
//! project's) that walk is two-dimensional and slow. Asked for before the pages are first
//! written, the kernel backs the array with 2 MiB pages (where `transparent_hugepage` is
//! `madvise` or `always`). Measured, cuba_ed at 400 000 neurons, one thread, alternated three
//! times (best of 3): 0.90–1.25 × 10⁷ events/s on 4 KiB pages, 1.24–1.37 × 10⁷ on 2 MiB pages.
//! Only where pages are placed changes, never a result.

/// Arrays smaller than this stay on ordinary pages.
const MIN_BYTES: usize = 4 << 20;

/// Asks for the pages of `v`'s allocation (its whole capacity) to be huge ones. Call it before
/// the pages are written: on a fresh `vec![0; n]` (zeroed lazily by the system) or an empty
/// vector with capacity. Does nothing for small arrays, other systems, or when refused.
pub fn advise<T>(v: &mut Vec<T>) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let bytes = v.capacity() * std::mem::size_of::<T>();
        if bytes < MIN_BYTES {
            return;
        }
        let start = v.as_mut_ptr() as usize;
        let (a, b) = (start.next_multiple_of(HUGE), (start + bytes) / HUGE * HUGE);
        if b > a {
            // SAFETY: [a, b) lies inside the vector's allocation; madvise only changes how the
            // range is paged, not its contents (the advice may be refused: it is only advice).
            unsafe { libc::madvise(a as *mut libc::c_void, b - a, libc::MADV_HUGEPAGE) };
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = v;
}

/// The items of `items` in a vector on huge pages where possible.
pub fn collect<T>(items: impl ExactSizeIterator<Item = T>) -> Vec<T> {
    let mut v = Vec::with_capacity(items.len());
    advise(&mut v);
    v.extend(items);
    v
}
