//! The budgets a run may use. Memory: by default this machine's memory (`/proc/meminfo`), or what
//! `--memory-gib` says. Output: by default the free space on the output folder's disk, or what
//! `--max-output-gib` says; rows known in advance (Poisson sources, spike lists, recorders,
//! weight snapshots) are checked up front, the spikes written while running.
//!
//! Validation refuses networks, spike lists and sources that would not fit the memory budget;
//! while running, the spikes held for the outputs and readouts may take half of it (shared by
//! the simulations running at once).

use std::sync::atomic::{AtomicU64, Ordering};

/// The budget set by `--memory-gib`, as f64 bits (0: none).
static OVERRIDE: AtomicU64 = AtomicU64::new(0);

/// Memory this machine has, bytes (24 GiB if unknown).
pub fn machine_memory_bytes() -> f64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        })
        .map_or(24.0 * 1024.0 * 1024.0 * 1024.0, |kb| kb * 1024.0)
}

/// The memory budget, bytes.
pub fn memory_bytes() -> f64 {
    match OVERRIDE.load(Ordering::Relaxed) {
        0 => machine_memory_bytes(),
        bits => f64::from_bits(bits),
    }
}

/// Sets the budget (`--memory-gib`); refuses what is not a positive, finite size.
pub fn set_memory_gib(gib: f64) -> Result<(), String> {
    store_gib(&OVERRIDE, "--memory-gib", gib, 1e6)
}

/// Stores a size given by `flag` in GiB as bytes; refuses what is not positive and below `max`.
fn store_gib(cell: &AtomicU64, flag: &str, gib: f64, max: f64) -> Result<(), String> {
    if !(gib > 0.0 && gib < max) {
        return Err(format!("{flag} {gib}: give a size in GiB, > 0"));
    }
    cell.store((gib * 1073741824.0).to_bits(), Ordering::Relaxed);
    Ok(())
}

/// How the budget is described in messages.
pub fn describe() -> String {
    let gib = memory_bytes() / 1073741824.0;
    if OVERRIDE.load(Ordering::Relaxed) == 0 {
        format!("the memory budget is this machine's {gib:.1} GiB (--memory-gib sets it)")
    } else {
        format!("the memory budget is {gib:.1} GiB (--memory-gib)")
    }
}

/// How many simulations run at once (they share the spikes' half of the budget).
static AT_ONCE: AtomicU64 = AtomicU64::new(1);

/// How many simulations run at once.
pub fn simulations_at_once() -> u64 {
    AT_ONCE.load(Ordering::Relaxed).max(1)
}

/// Sets how many simulations run at once.
pub fn set_simulations_at_once(n: usize) {
    AT_ONCE.store(n.max(1) as u64, Ordering::Relaxed);
}

/// Most spikes a simulation may hold in memory (16 bytes each): half the budget, shared by the
/// simulations running at once.
pub fn spikes_held() -> u64 {
    (0.5 * memory_bytes() / 16.0) as u64 / simulations_at_once()
}

/// The output budget set by `--max-output-gib`, as f64 bits (0: none).
static OUTPUT_OVERRIDE: AtomicU64 = AtomicU64::new(0);
/// Free bytes on the disk of the output folder, as f64 bits (0: not looked up yet).
static OUTPUT_FREE: AtomicU64 = AtomicU64::new(0);

/// Free bytes (for an unprivileged user) on the file system holding `path`, or its nearest
/// existing ancestor; `None` if it cannot be told.
fn free_bytes(path: &std::path::Path) -> Option<f64> {
    let mut p = if path.as_os_str().is_empty() {
        std::path::Path::new(".")
    } else {
        path
    };
    while !p.exists() {
        p = p.parent().filter(|q| !q.as_os_str().is_empty())?;
    }
    let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).ok()?;
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a NUL-terminated path and `st` a writable statvfs record.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return None;
    }
    Some(st.f_bavail as f64 * st.f_frsize as f64)
}

/// Looks up the free space where outputs will be written (`--out`).
pub fn set_output_dir(path: &std::path::Path) {
    if let Some(b) = free_bytes(path) {
        OUTPUT_FREE.store(b.max(1.0).to_bits(), Ordering::Relaxed);
    }
}

/// Sets the output budget (`--max-output-gib`); refuses what is not a positive, finite size.
pub fn set_output_gib(gib: f64) -> Result<(), String> {
    store_gib(&OUTPUT_OVERRIDE, "--max-output-gib", gib, 1e9)
}

/// The output budget, bytes: `--max-output-gib`, else the free space on the output disk.
pub fn output_bytes() -> f64 {
    match OUTPUT_OVERRIDE.load(Ordering::Relaxed) {
        0 => {
            if OUTPUT_FREE.load(Ordering::Relaxed) == 0 {
                set_output_dir(std::path::Path::new("outputs"));
            }
            match OUTPUT_FREE.load(Ordering::Relaxed) {
                0 => f64::INFINITY,
                bits => f64::from_bits(bits),
            }
        }
        bits => f64::from_bits(bits),
    }
}

/// How the output budget is described in messages.
pub fn describe_output() -> String {
    let gib = super::values::show((output_bytes() / 1073741824.0 * 1000.0).round() / 1000.0);
    if OUTPUT_OVERRIDE.load(Ordering::Relaxed) == 0 {
        format!("the output budget is the {gib} GiB free on the output disk (--max-output-gib sets it)")
    } else {
        format!("the output budget is {gib} GiB (--max-output-gib)")
    }
}

/// Bytes a table row is counted at against the output budget (a spike, a sample, a weight):
/// above what the files take (Parquet ≈ 8–10 bytes a spike row here, CSV ≈ 25).
pub fn row_bytes(format: crate::config::circuit::TableFormat) -> f64 {
    match format {
        crate::config::circuit::TableFormat::Parquet => 16.0,
        crate::config::circuit::TableFormat::Csv => 32.0,
    }
}
