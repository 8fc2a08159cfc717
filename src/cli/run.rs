//! `engram run` and `engram validate`.

use std::path::{Path, PathBuf};

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

use super::{EXIT_BAD_INPUT, EXIT_FAILURE};
use crate::config::circuit::{TableFormat, Variant};
use crate::experiment::batch::{self, Finished};
use crate::experiment::{self, Done, Experiment, Failure, SweepPoint, SweepResult, builtin};
use crate::output;
use crate::output::folder::{ClaimError, StagedFolder};

/// The experiments to run: the given files, or the built-in defaults.
pub fn load_all(paths: &[PathBuf], seed: Option<u64>) -> Result<Vec<Experiment>, String> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    if paths.is_empty() {
        for (name, text) in builtin::DEFAULT_CIRCUITS {
            match experiment::parse_seeded(name, text, seed) {
                Ok(c) => out.push(c),
                Err(e) => errors.push(e.to_string()),
            }
        }
    }
    for p in paths {
        match experiment::load(p, seed) {
            Ok(c) => out.push(c),
            Err(e) => errors.push(e.to_string()),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors.join("\n"))
    }
}

fn bar(prefix: String, len: u64, template: &str) -> ProgressBar {
    let bar = ProgressBar::new(len.max(1));
    bar.set_style(
        ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(prefix);
    bar
}

fn describe(done: &Done, dir: &Path, indent: &str) {
    let r = &done.run;
    outln!(
        "{indent}{}: {} neurons, {} synapses, {} spikes, {} synaptic events in {:.3} s (build {:.3} s) -> {}",
        r.circuit.name,
        r.net().neuron_count(),
        r.net().synapse_count(),
        r.sim.spike_counts.iter().sum::<u64>(),
        r.sim.events_delivered,
        r.simulate_seconds,
        r.build_seconds,
        dir.display()
    );
    for (name, o) in &done.outcomes {
        outln!("{indent}  {name}: {}", o.headline());
    }
    for (k, g) in r.net().groups.iter().enumerate() {
        if let Some(n) = g.rate_clipped().filter(|n| *n > 0) {
            eprintln!(
                "warning: {}: population `{}`: the rate was clipped at max_rate_hz {n} times, so it fired less than its model says (summary.json: rate_clipped)",
                r.circuit.name,
                r.net().populations[k].name
            );
        }
    }
}

/// The exit code and message of a failed simulation.
fn failure(e: Failure) -> (u8, String) {
    match e {
        Failure::Input(m) => (EXIT_BAD_INPUT, m),
        // Not the file's fault as far as it could know: exit 1.
        Failure::OverBudget(m) => (EXIT_FAILURE, m),
    }
}

/// What one experiment's jobs gave, gathered in job order.
#[derive(Default)]
struct Gathered {
    base: Option<Result<Done, Failure>>,
    variants: Vec<(Variant, Result<Done, Failure>)>,
    points: Vec<Vec<SweepPoint>>,
}

/// Writes one experiment's folder and says what it measured.
fn finish(ex: &Experiment, staged: StagedFolder, got: Gathered) -> Result<(), (u8, String)> {
    let base = got
        .base
        .unwrap_or_else(|| Err(Failure::Input(format!("{}: not run", ex.name()))))
        .map_err(failure)?;
    let mut variants = Vec::new();
    for (v, done) in got.variants {
        variants.push((v, done.map_err(failure)?));
    }
    let sweeps: Vec<SweepResult> = ex
        .base
        .circuit
        .sweeps
        .iter()
        .zip(got.points)
        .map(|(s, points)| SweepResult {
            sweep: s.clone(),
            points,
        })
        .collect();
    let dir = output::write_experiment(staged, &base, &variants, &sweeps).map_err(|e| (EXIT_FAILURE, e))?;
    describe(&base, &dir, "");
    for (v, d) in &variants {
        outln!("  variant {}:", v.name);
        describe(d, &dir.join("variants").join(&v.name), "    ");
    }
    let mut failed = Vec::new();
    for s in &sweeps {
        outln!(
            "  sweep {}: {} points -> {}",
            s.sweep.name,
            s.points.len(),
            dir.join("sweep.csv").display()
        );
        for p in s.points.iter().filter(|p| p.error.is_some()) {
            failed.push(format!(
                "sweep `{}`: {}",
                s.sweep.name,
                p.error.as_deref().unwrap_or("")
            ));
        }
    }
    if !failed.is_empty() {
        // The other points' results are written; say what failed, and exit 1.
        return Err((EXIT_FAILURE, failed.join("\n")));
    }
    Ok(())
}

/// Claims every experiment's output folder before anything runs: a bad --out, a folder another
/// run is writing, or two circuits of one name cost no simulation.
fn claim_all(experiments: &[Experiment], out: &Path) -> Result<Vec<StagedFolder>, (u8, String)> {
    let mut staged = Vec::new();
    for (k, ex) in experiments.iter().enumerate() {
        if let Some(first) = experiments[..k].iter().find(|e| e.name() == ex.name()) {
            return Err((
                EXIT_BAD_INPUT,
                format!(
                    "{} and {} are both named `{}` and would write the same folder {}: give one another `name`",
                    first.source.path,
                    ex.source.path,
                    ex.name(),
                    out.join(ex.name()).display()
                ),
            ));
        }
        staged.push(StagedFolder::claim(&out.join(ex.name())).map_err(|e| match e {
            ClaimError::InUse(m) => (EXIT_FAILURE, m),
            ClaimError::Unusable(m) => (EXIT_BAD_INPUT, format!("--out: {m}")),
        })?);
    }
    Ok(staged)
}

/// How `engram run` was asked to run.
pub struct Options {
    pub out: PathBuf,
    pub seed: Option<u64>,
    /// `--export-network`: the connections and initial_state tables of every circuit.
    pub export_network: bool,
    /// `--format`: the data tables' format for every circuit, variant and sweep point.
    pub format: Option<TableFormat>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            out: PathBuf::from("outputs"),
            seed: None,
            export_network: false,
            format: None,
        }
    }
}

/// Runs every simulation of `experiments` (several at once), then writes their folders in order.
fn run_experiments(mut experiments: Vec<Experiment>, options: &Options) -> Result<(), (u8, String)> {
    for ex in &mut experiments {
        let output = &mut ex.base.circuit.output;
        if options.export_network {
            output.connections = true;
            output.initial_state = true;
        }
        if let Some(f) = options.format {
            output.format = f;
        }
        ex.source.format = options.format;
    }
    let staged = claim_all(&experiments, &options.out)?;
    for (ex, folder) in experiments.iter_mut().zip(&staged) {
        ex.source.spill_dir = Some(folder.path().to_path_buf());
    }
    let jobs = batch::jobs(&mut experiments);
    let sizes: Vec<(f64, f64)> = jobs
        .iter()
        .map(|(k, job)| batch::size(&experiments[*k], job))
        .collect();
    let labels: Vec<String> = jobs
        .iter()
        .map(|(k, job)| batch::label(&experiments[*k], job))
        .collect();
    let workers = batch::at_once(&sizes.iter().map(|s| s.0).collect::<Vec<_>>());
    let multi = MultiProgress::new();
    let overall = multi.add(bar(
        format!("{} simulations, {workers} at once", jobs.len()),
        jobs.len() as u64,
        "{prefix} [{bar:40}] {pos}/{len} ({elapsed}, eta {eta})",
    ));
    let running: Vec<std::sync::Mutex<Option<ProgressBar>>> =
        (0..jobs.len()).map(|_| std::sync::Mutex::new(None)).collect();
    let start = |i: usize| -> Box<dyn FnMut(f64) + '_> {
        let duration = sizes[i].1;
        let b = multi.add(bar(
            labels[i].clone(),
            (duration * 10.0).round() as u64,
            "{prefix} [{bar:40}] {msg} ({elapsed}, eta {eta})",
        ));
        if let Ok(mut r) = running[i].lock() {
            *r = Some(b.clone());
        }
        Box::new(move |t: f64| {
            b.set_position((t * 10.0).round() as u64);
            b.set_message(format!("{t:.1} / {duration} ms"));
        })
    };
    let done = |i: usize| {
        if let Some(b) = running[i].lock().ok().and_then(|mut r| r.take()) {
            b.finish_and_clear();
            multi.remove(&b);
        }
        overall.inc(1);
    };
    let results = batch::run_all(&experiments, jobs, workers, &start, &done);
    overall.finish_and_clear();
    let mut gathered: Vec<Gathered> = experiments
        .iter()
        .map(|ex| Gathered {
            points: ex.base.circuit.sweeps.iter().map(|_| Vec::new()).collect(),
            ..Gathered::default()
        })
        .collect();
    for (k, finished) in results {
        let g = &mut gathered[k];
        match finished {
            Finished::Base(r) => g.base = Some(r),
            Finished::Variant(v, r) => g.variants.push((v, r)),
            Finished::Point(s, p) => g.points[s].push(p),
        }
    }
    // Every experiment that ran is written; each failure is told, the first gives the exit code.
    let mut first_error: Option<u8> = None;
    for ((ex, staged), got) in experiments.iter().zip(staged).zip(gathered) {
        if let Err((code, e)) = finish(ex, staged, got) {
            eprintln!("error: {e}");
            first_error.get_or_insert(code);
        }
    }
    first_error.map_or(Ok(()), |code| Err((code, String::new())))
}

pub fn run(paths: &[PathBuf], options: &Options) -> u8 {
    output::folder::clean_up_on_interrupt();
    let experiments = match load_all(paths, options.seed) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return EXIT_BAD_INPUT;
        }
    };
    match run_experiments(experiments, options) {
        Ok(()) => 0,
        Err((code, e)) => {
            if !e.is_empty() {
                eprintln!("error: {e}");
            }
            code
        }
    }
}

pub fn validate(paths: &[PathBuf]) -> u8 {
    let mut code = 0;
    for p in paths {
        match experiment::load(p, None) {
            Ok(ex) => {
                let c = &ex.base.circuit;
                let points: usize = c.sweeps.iter().map(|s| s.points().len()).sum();
                outln!(
                    "{}: ok ({}: {} populations, {} projections, {} phases, {} comparisons, {} variants, {} sweep points)",
                    p.display(),
                    c.name,
                    c.network.populations.len(),
                    c.network.projections.len(),
                    c.protocol.phases.len(),
                    ex.base.specs.len(),
                    c.variants.len(),
                    points
                )
            }
            Err(e) => {
                eprintln!("{e}");
                code = EXIT_BAD_INPUT;
            }
        }
    }
    code
}
