//! The memory budget a run may use: by default this machine's memory (`/proc/meminfo`), or what
//! `--memory-gib` says. Validation refuses networks, spike lists and sources that would not fit
//! it; while running, the spikes held for the outputs and readouts may take half of it (shared by
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
    if !(gib > 0.0 && gib < 1e6) {
        return Err(format!("--memory-gib {gib}: give a size in GiB, > 0"));
    }
    OVERRIDE.store((gib * 1073741824.0).to_bits(), Ordering::Relaxed);
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

/// Sets how many simulations run at once.
pub fn set_simulations_at_once(n: usize) {
    AT_ONCE.store(n.max(1) as u64, Ordering::Relaxed);
}

/// Most spikes a simulation may hold in memory (16 bytes each): half the budget, shared by the
/// simulations running at once.
pub fn spikes_held() -> u64 {
    (0.5 * memory_bytes() / 16.0) as u64 / AT_ONCE.load(Ordering::Relaxed).max(1)
}
