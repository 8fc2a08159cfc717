//! Experiments: a circuit file with its comparisons, variants and sweeps. Loading validates
//! everything up front (every variant and every sweep point is validated as it will run);
//! running simulates the circuit, takes its readouts and hands them to the comparisons.

pub mod batch;
pub mod builtin;
pub mod readouts;
pub mod schema;
pub mod simulate;

use crate::compare::{self, Outcome, Spec};
use crate::config::circuit::{Sweep, Variant};
use crate::config::error::Reporter;
use crate::config::source::SourceFile;
use crate::config::{self, Circuit, ConfigErrors};
use simulate::RunResult;

/// A validated circuit with its checked comparisons.
pub struct Loaded {
    pub circuit: Circuit,
    pub specs: Vec<(String, Box<dyn Spec>)>,
}

/// A file: the circuit as written, and where its variants and sweep points are loaded from.
pub struct Experiment {
    pub base: Loaded,
    pub source: Source,
}

/// A circuit file's text, from which variants and sweep points are validated again.
pub struct Source {
    pub path: String,
    pub text: String,
    /// Replaces the file's seed (`--seed`), in variants and sweeps too.
    pub seed: Option<u64>,
    /// Replaces the file's table format (`--format`), in variants too.
    pub format: Option<crate::config::circuit::TableFormat>,
    /// Where recorded spikes past the memory limit go while a simulation of this file runs
    /// (the experiment's staging folder); `None`: they stay in memory.
    pub spill_dir: Option<std::path::PathBuf>,
}

/// A finished run and what each comparison measured.
pub struct Done {
    pub run: RunResult,
    pub outcomes: Vec<(String, Box<dyn Outcome>)>,
    pub compare_seconds: f64,
}

/// One finished sweep point: its `[let]` values and the comparisons' scalars, or why it failed.
pub struct SweepPoint {
    pub values: Vec<(String, f64)>,
    pub scalars: Vec<(String, f64)>,
    pub simulate_seconds: f64,
    pub error: Option<String>,
}

/// A finished sweep.
pub struct SweepResult {
    pub sweep: Sweep,
    pub points: Vec<SweepPoint>,
}

/// Validates `text` with `overrides` and checks its comparisons.
pub fn load_one(
    path: &str,
    text: &str,
    overrides: &[(String, f64)],
    seed: Option<u64>,
    context: &str,
) -> Result<Loaded, ConfigErrors> {
    let circuit = config::parse_with(path, text, overrides, seed, context)?;
    let src = SourceFile::new(path, text.to_string());
    let mut r = Reporter::new(&src);
    r.context = context.to_string();
    r.env = circuit.env.clone();
    let specs = compare::check_all(&mut r, &circuit);
    r.finish(Loaded { circuit, specs })
}

pub(crate) fn point_label(values: &[(String, f64)]) -> String {
    values
        .iter()
        .map(|(k, v)| format!("{k} = {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parses a circuit file and validates every variant and sweep point it declares.
pub fn parse(path: &str, text: &str) -> Result<Experiment, ConfigErrors> {
    parse_seeded(path, text, None)
}

/// `parse` with the seed replaced.
pub fn parse_seeded(path: &str, text: &str, seed: Option<u64>) -> Result<Experiment, ConfigErrors> {
    let base = load_one(path, text, &[], seed, "")?;
    let mut errors = Vec::new();
    for v in &base.circuit.variants {
        if let Err(e) = load_one(
            path,
            text,
            &v.overrides,
            seed,
            &format!("in variant `{}`", v.name),
        ) {
            errors.extend(e.0);
        }
    }
    for s in &base.circuit.sweeps {
        for point in s.points() {
            let overrides: Vec<(String, f64)> = s.fixed.iter().cloned().chain(point.clone()).collect();
            if let Err(e) = load_one(
                path,
                text,
                &overrides,
                seed,
                &format!("in sweep `{}` at {}", s.name, point_label(&point)),
            ) {
                errors.extend(e.0);
                break; // one failing point of a sweep is enough to show
            }
        }
    }
    if !errors.is_empty() {
        errors.dedup();
        return Err(ConfigErrors(errors));
    }
    Ok(Experiment {
        base,
        source: Source {
            path: path.to_string(),
            text: text.to_string(),
            seed,
            format: None,
            spill_dir: None,
        },
    })
}

/// Reads and parses a circuit file.
pub fn load(path: &std::path::Path, seed: Option<u64>) -> Result<Experiment, ConfigErrors> {
    let text = config::read(path)?;
    parse_seeded(&path.display().to_string(), &text, seed)
}

/// Simulates a loaded circuit and runs its comparisons.
/// Why an experiment did not run to the end.
#[derive(Debug)]
pub enum Failure {
    /// The file's fault (it could not be built, a comparison could not read it).
    Input(String),
    /// A budget met while running.
    OverBudget(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Input(s) | Failure::OverBudget(s) => f.write_str(s),
        }
    }
}

/// Simulates a loaded circuit (its recorded spikes in memory) and runs its comparisons.
pub fn run(loaded: Loaded, progress: &mut dyn FnMut(f64)) -> Result<Done, Failure> {
    run_spilling(loaded, None, progress)
}

/// As `run`, with recorded spikes past a memory limit streamed to a file in `spill_dir`.
pub fn run_spilling(
    loaded: Loaded,
    spill_dir: Option<&std::path::Path>,
    progress: &mut dyn FnMut(f64),
) -> Result<Done, Failure> {
    let run = simulate::run_spilling(loaded.circuit, spill_dir, progress).map_err(|e| match e {
        simulate::RunError::OverBudget(s) => Failure::OverBudget(s),
        e => Failure::Input(e.to_string()),
    })?;
    let t = std::time::Instant::now();
    let mut outcomes = Vec::new();
    for (name, spec) in &loaded.specs {
        outcomes.push((
            name.clone(),
            spec.compare(&run)
                .map_err(|e| Failure::Input(format!("comparison `{name}`: {e}")))?,
        ));
    }
    Ok(Done {
        run,
        outcomes,
        compare_seconds: t.elapsed().as_secs_f64(),
    })
}

impl Experiment {
    pub fn name(&self) -> &str {
        &self.base.circuit.name
    }
}

impl Source {
    /// A variant, loaded.
    pub fn variant(&self, v: &Variant) -> Result<Loaded, String> {
        let mut loaded = load_one(
            &self.path,
            &self.text,
            &v.overrides,
            self.seed,
            &format!("in variant `{}`", v.name),
        )
        .map_err(|e| e.to_string())?;
        if let Some(f) = self.format {
            loaded.circuit.output.format = f;
        }
        Ok(loaded)
    }

    /// Runs every point of a sweep, one after the other (`engram run` runs them as jobs of a
    /// batch, several at a time).
    pub fn sweep(&self, s: &Sweep, tick: &(dyn Fn() + Sync)) -> Result<SweepResult, String> {
        let points = s
            .points()
            .iter()
            .map(|point| {
                let p = self.sweep_point(s, point, &mut |_| {});
                tick();
                p
            })
            .collect();
        Ok(SweepResult {
            sweep: s.clone(),
            points,
        })
    }

    /// Runs one point of a sweep. A point that fails keeps its row, with the reason.
    pub fn sweep_point(
        &self,
        s: &Sweep,
        point: &[(String, f64)],
        progress: &mut dyn FnMut(f64),
    ) -> SweepPoint {
        let overrides: Vec<(String, f64)> = s.fixed.iter().cloned().chain(point.iter().cloned()).collect();
        let context = format!("in sweep `{}` at {}", s.name, point_label(point));
        let result = load_one(&self.path, &self.text, &overrides, self.seed, &context)
            .map_err(|e| e.to_string())
            .and_then(|loaded| {
                run_spilling(loaded, self.spill_dir.as_deref(), progress)
                    .map_err(|e| format!("{context}: {e}"))
            });
        match result {
            Ok(done) => SweepPoint {
                values: point.to_vec(),
                scalars: done
                    .outcomes
                    .iter()
                    .flat_map(|(name, o)| {
                        o.scalars()
                            .into_iter()
                            .map(move |(k, v)| (format!("{name}.{k}"), v))
                    })
                    .collect(),
                simulate_seconds: done.run.simulate_seconds,
                error: None,
            },
            Err(e) => SweepPoint {
                values: point.to_vec(),
                scalars: Vec::new(),
                simulate_seconds: 0.0,
                error: Some(e),
            },
        }
    }
}
