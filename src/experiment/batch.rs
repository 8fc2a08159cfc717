//! Every simulation a set of experiments asks for — each circuit, its variants and its sweep
//! points — run as many at once as there are worker threads and memory for. Each simulation is
//! independent and seeded by its own file, so the results do not depend on how many run at once.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{Done, Experiment, Failure, Loaded, SweepPoint};
use crate::config;
use crate::config::circuit::{Sweep, Variant};

/// One simulation to run.
pub enum Job {
    /// The circuit as written (loaded already).
    Base(Box<Loaded>),
    /// A variant, loaded when it runs.
    Variant(Variant),
    /// One point of a sweep: the sweep's index in its file, and the point's `[let]` values.
    Point(usize, Vec<(String, f64)>),
}

/// What one job gave.
pub enum Finished {
    Base(Result<Done, Failure>),
    Variant(Variant, Result<Done, Failure>),
    Point(usize, SweepPoint),
}

/// What a running job is called in progress bars and messages.
pub fn label(ex: &Experiment, job: &Job) -> String {
    let name = ex.name();
    match job {
        Job::Base(_) => name.to_string(),
        Job::Variant(v) => format!("{name} / {}", v.name),
        Job::Point(s, point) => format!(
            "{name} / sweep {} at {}",
            ex.base.circuit.sweeps[*s].name,
            super::point_label(point)
        ),
    }
}

/// The jobs of `experiments`, as (experiment index, job): every circuit first, then every
/// variant, then every sweep point, so that the long runs start early.
pub fn jobs(experiments: &mut [Experiment]) -> Vec<(usize, Job)> {
    let mut bases = Vec::new();
    let mut variants = Vec::new();
    let mut points = Vec::new();
    for (k, ex) in experiments.iter_mut().enumerate() {
        // The experiment keeps a copy of its circuit (names of variants and sweeps, outputs).
        let circuit = ex.base.circuit.clone();
        let base = std::mem::replace(
            &mut ex.base,
            Loaded {
                circuit,
                specs: Vec::new(),
            },
        );
        bases.push((k, Job::Base(Box::new(base))));
        for v in &ex.base.circuit.variants {
            variants.push((k, Job::Variant(v.clone())));
        }
        for (s, sweep) in ex.base.circuit.sweeps.iter().enumerate() {
            for point in sweep.points() {
                points.push((k, Job::Point(s, point)));
            }
        }
    }
    bases.into_iter().chain(variants).chain(points).collect()
}

/// What a job's circuit is estimated to need: network memory (bytes) and simulated time (ms);
/// zeros if it does not load (the job itself then reports why).
pub fn size(ex: &Experiment, job: &Job) -> (f64, f64) {
    let overrides = match job {
        Job::Base(l) => return (l.circuit.network.estimated_bytes(), l.circuit.duration_ms),
        Job::Variant(v) => v.overrides.clone(),
        Job::Point(s, point) => point_overrides(&ex.base.circuit.sweeps[*s], point),
    };
    let src = &ex.source;
    config::parse_with(&src.path, &src.text, &overrides, src.seed, "")
        .map_or((0.0, 0.0), |c| (c.network.estimated_bytes(), c.duration_ms))
}

fn point_overrides(s: &Sweep, point: &[(String, f64)]) -> Vec<(String, f64)> {
    s.fixed.iter().cloned().chain(point.iter().cloned()).collect()
}

/// How many jobs may run at once: the worker threads, fewer if the largest networks would not
/// fit in the memory budget together. `bytes`: each job's estimated network memory.
pub fn at_once(bytes: &[f64]) -> usize {
    let mut sizes = bytes.to_vec();
    sizes.sort_by(|a, b| b.total_cmp(a));
    let budget = 0.8 * config::budget::memory_bytes();
    let mut n = rayon::current_num_threads().min(sizes.len()).max(1);
    while n > 1 && sizes.iter().take(n).sum::<f64>() > budget {
        n -= 1;
    }
    n
}

/// Runs one job; `progress` receives its simulated time (ms).
pub fn run_job(ex: &Experiment, job: Job, progress: &mut dyn FnMut(f64)) -> Finished {
    let spill = ex.source.spill_dir.as_deref();
    match job {
        Job::Base(loaded) => Finished::Base(super::run_spilling(*loaded, spill, progress)),
        Job::Variant(v) => {
            let result = ex
                .source
                .variant(&v)
                .map_err(Failure::Input)
                .and_then(|loaded| super::run_spilling(loaded, spill, progress));
            Finished::Variant(v, result)
        }
        Job::Point(s, point) => Finished::Point(
            s,
            ex.source
                .sweep_point(&ex.base.circuit.sweeps[s], &point, progress),
        ),
    }
}

/// Runs every job, `workers` at a time, each taking the next job as it finishes one; results in
/// job order. `start` is called as a job starts (its index) and gives the job's progress callback.
pub fn run_all<'a>(
    experiments: &[Experiment],
    jobs: Vec<(usize, Job)>,
    workers: usize,
    start: &(dyn Fn(usize) -> Box<dyn FnMut(f64) + 'a> + Sync),
    done: &(dyn Fn(usize) + Sync),
) -> Vec<(usize, Finished)> {
    // Spikes held in memory: each simulation running at once gets its share of the budget.
    config::budget::set_simulations_at_once(workers);
    let n = jobs.len();
    let queue: Vec<Mutex<Option<(usize, Job)>>> = jobs.into_iter().map(|j| Mutex::new(Some(j))).collect();
    let results: Vec<Mutex<Option<(usize, Finished)>>> = (0..n).map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= n {
                break;
            }
            let Some((k, job)) = queue[i].lock().ok().and_then(|mut q| q.take()) else {
                continue;
            };
            let mut progress = start(i);
            let finished = run_job(&experiments[k], job, &mut *progress);
            done(i);
            if let Ok(mut slot) = results[i].lock() {
                *slot = Some((k, finished));
            }
        }
    };
    if workers <= 1 {
        work();
    } else {
        rayon::scope(|s| {
            for _ in 0..workers {
                s.spawn(|_| work());
            }
        });
    }
    config::budget::set_simulations_at_once(1);
    results
        .into_iter()
        .filter_map(|m| m.into_inner().ok().flatten())
        .collect()
}
