//! `engram run` and `engram validate`.

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};

use super::{EXIT_BAD_INPUT, EXIT_FAILURE};
use crate::experiment::{self, Done, Experiment, Failure, Loaded, builtin};
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

/// Runs one loaded circuit with a progress bar.
fn simulate(loaded: Loaded, label: String) -> Result<Done, (u8, String)> {
    let duration = loaded.circuit.duration_ms;
    let bar = bar(
        label,
        (duration * 10.0).round() as u64,
        "{prefix} [{bar:40}] {msg} ({elapsed}, eta {eta})",
    );
    let mut report = |t: f64| {
        bar.set_position((t * 10.0).round() as u64);
        bar.set_message(format!("{t:.1} / {duration} ms"));
    };
    let result = experiment::run(loaded, &mut report);
    bar.finish_and_clear();
    result.map_err(|e| match e {
        Failure::Input(m) => (EXIT_BAD_INPUT, m),
        // Not the file's fault as far as it could know: exit 1.
        Failure::OverBudget(m) => (EXIT_FAILURE, m),
    })
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

/// Runs one experiment (circuit, variants, sweeps) and writes its folder.
fn run_one(ex: Experiment, out: &Path, export_network: bool) -> Result<(), (u8, String)> {
    let Experiment {
        base: mut loaded,
        source,
    } = ex;
    let name = loaded.circuit.name.clone();
    if export_network {
        loaded.circuit.output.connections = true;
        loaded.circuit.output.initial_state = true;
    }
    let variants_spec = loaded.circuit.variants.clone();
    let sweeps_spec = loaded.circuit.sweeps.clone();
    // The output folder is claimed before anything runs: a bad --out, or a folder another run
    // is writing, costs no simulation.
    let staged = StagedFolder::claim(&out.join(&name)).map_err(|e| match e {
        ClaimError::InUse(m) => (EXIT_FAILURE, m),
        ClaimError::Unusable(m) => (EXIT_BAD_INPUT, format!("--out: {m}")),
    })?;
    let base = simulate(loaded, name.clone())?;
    let mut variants = Vec::new();
    for v in &variants_spec {
        let loaded = source.variant(v).map_err(|e| (EXIT_BAD_INPUT, e))?;
        let done = simulate(loaded, format!("{name} / {}", v.name))?;
        variants.push((v.clone(), done));
    }
    let mut sweeps = Vec::new();
    for s in &sweeps_spec {
        let points = s.points().len() as u64;
        let b = bar(
            format!("{name} / sweep {}", s.name),
            points,
            "{prefix} [{bar:40}] {pos}/{len} points ({elapsed}, eta {eta})",
        );
        let tick = || b.inc(1);
        let result = source.sweep(s, &tick);
        b.finish_and_clear();
        sweeps.push(result.map_err(|e| (EXIT_BAD_INPUT, e))?);
    }
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

pub fn run(paths: &[PathBuf], out: &Path, seed: Option<u64>, export_network: bool) -> u8 {
    output::folder::clean_up_on_interrupt();
    let experiments = match load_all(paths, seed) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return EXIT_BAD_INPUT;
        }
    };
    for ex in experiments {
        if let Err((code, e)) = run_one(ex, out, export_network) {
            eprintln!("error: {e}");
            return code;
        }
    }
    0
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
