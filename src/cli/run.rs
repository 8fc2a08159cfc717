//! `engram run` and `engram validate`.

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};

use super::{EXIT_BAD_INPUT, EXIT_FAILURE};
use crate::circuits::{self, Loaded, builtin, cerebellum, generic};
use crate::config::Circuit;
use crate::output::{self, Extras};

/// The circuits to run: the given files, or the built-in defaults.
pub fn load_all(paths: &[PathBuf]) -> Result<Vec<Loaded>, String> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    if paths.is_empty() {
        for (name, text) in builtin::DEFAULT_CIRCUITS {
            match circuits::parse(name, text) {
                Ok(c) => out.push(c),
                Err(e) => errors.push(e.to_string()),
            }
        }
    }
    for p in paths {
        match circuits::load(p) {
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

fn progress_bar(circuit: &Circuit) -> ProgressBar {
    let bar = ProgressBar::new((circuit.duration_ms * 10.0).round().max(1.0) as u64);
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:40}] {msg} ({elapsed}, eta {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(circuit.name.clone());
    bar
}

fn simulate(circuit: Circuit) -> Result<generic::RunResult, String> {
    simulate_with(circuit, &[], &mut |_, _| {})
}

/// `simulate`, stopping at `hooks` to let `hook` react (closed-loop protocols).
fn simulate_with(
    circuit: Circuit,
    hooks: &[f64],
    hook: &mut dyn FnMut(&mut crate::engine::simulation::Simulation, f64),
) -> Result<generic::RunResult, String> {
    let bar = progress_bar(&circuit);
    let duration = circuit.duration_ms;
    let mut report = |t: f64| {
        bar.set_position((t * 10.0).round() as u64);
        bar.set_message(format!("{t:.1} / {duration} ms"));
    };
    let result = generic::run_with(circuit, &mut report, hooks, hook).map_err(|e| e.to_string());
    bar.finish_and_clear();
    result
}

fn describe(result: &generic::RunResult, dir: &Path) {
    outln!(
        "{}: {} neurons, {} synapses, {} spikes, {} synaptic events in {:.3} s (build {:.3} s) -> {}",
        result.circuit.name,
        result.net().neuron_count(),
        result.net().synapse_count(),
        result.sim.spike_counts.iter().sum::<u64>(),
        result.sim.events_delivered,
        result.simulate_seconds,
        result.build_seconds,
        dir.display()
    );
}

/// Runs one loaded circuit and writes its folder.
fn run_one(loaded: Loaded, out: &Path, export_network: bool) -> Result<(), (u8, String)> {
    match loaded {
        Loaded::Network(mut circuit) => {
            if export_network {
                circuit.output.connections = true;
                circuit.output.initial_state = true;
            }
            let result = simulate(circuit).map_err(|e| (EXIT_BAD_INPUT, e))?;
            let dir = output::write_run(out, &result).map_err(|e| (EXIT_FAILURE, e))?;
            describe(&result, &dir);
        }
        Loaded::Cerebellum(spec, source) => {
            let t0 = std::time::Instant::now();
            let c = cerebellum::build(*spec, &source);
            let built = t0.elapsed().as_secs_f64();
            let mut result = simulate(c.circuit.clone()).map_err(|e| (EXIT_BAD_INPUT, e))?;
            result.build_seconds += built;
            let t1 = std::time::Instant::now();
            let cmp = crate::compare::cerebellum::compare(&c, &result);
            let compare_seconds = t1.elapsed().as_secs_f64();
            let files = |dir: &Path| output::cerebellum::files(&c, &result, &cmp, dir);
            let mut comparison = cmp.to_json();
            comparison["compare_seconds"] = serde_json::json!(compare_seconds);
            let extras = Extras {
                summary: vec![("comparison".into(), comparison)],
                report: output::cerebellum::report(&c, &cmp),
                files: &files,
            };
            let dir = output::write_run_with(out, &result, Some(&extras)).map_err(|e| (EXIT_FAILURE, e))?;
            describe(&result, &dir);
            outln!(
                "  vs SDM: PC input max abs error {}, output bit mismatches {}, granule mismatches {}, overlap max |z| {:.2} (1% bound {:.2}), beta {:.3}",
                cmp.pc_input_max_abs_error,
                cmp.output_bit_mismatches,
                cmp.granule_activation_mismatches,
                cmp.overlap_max_abs_z,
                cmp.overlap_z_bound,
                cmp.beta_ols
            );
        }
        Loaded::Hippocampus(spec, source) => {
            let (result, h, experiment) =
                hippocampus_experiment(&spec, &source).map_err(|e| (EXIT_BAD_INPUT, e))?;
            let files = |dir: &Path| output::hippocampus::files(&h, &result, &experiment, dir);
            let mut comparison = experiment.main.to_json();
            comparison["pool"] = serde_json::json!(h.pool);
            if let Some(o) = &experiment.other {
                comparison["other_pool_setting"] = o.to_json();
            }
            comparison["beta_sweep"] = serde_json::json!(experiment.beta_sweep);
            comparison["capacity"] = serde_json::json!(experiment.capacity);
            let extras = Extras {
                summary: vec![("comparison".into(), comparison)],
                report: output::hippocampus::report(&h, &experiment),
                files: &files,
            };
            let dir = output::write_run_with(out, &result, Some(&extras)).map_err(|e| (EXIT_FAILURE, e))?;
            describe(&result, &dir);
            let m = &experiment.main;
            outln!(
                "  vs modern Hopfield: fraction error / Poisson bound {:.2}, readout cosine {:.4}, accuracy circuit {:.3} vs math {:.3}",
                m.softmax_error_over_bound_max,
                m.readout_cosine_mean,
                m.retrieval_accuracy_circuit,
                m.retrieval_accuracy_math
            );
        }
    }
    Ok(())
}

/// The hippocampal experiment: the main run, the other pool setting, the β and capacity sweeps.
fn hippocampus_experiment(
    spec: &circuits::hippocampus::spec::HippocampusToml,
    source: &str,
) -> Result<
    (
        generic::RunResult,
        circuits::hippocampus::Hippocampus,
        output::hippocampus::Experiment,
    ),
    String,
> {
    use crate::circuits::hippocampus::{self as hc, Variant};
    use crate::compare::hippocampus::compare;
    let mut windows = spec.protocol.window_sweep_ms.clone();
    windows.sort_by(f64::total_cmp);
    windows.push(spec.protocol.window_ms);
    let (n, beta, pool) = (
        spec.hopfield.patterns,
        spec.hopfield.beta,
        spec.inhibition.enabled,
    );
    let main_variant = Variant {
        count: n,
        beta,
        pool,
        flips: spec.protocol.query_flip.clone(),
        per_level: spec.protocol.queries_per_level,
        window_ms: spec.protocol.window_ms,
        iterations: spec.protocol.iterations,
    };
    let measure = |v: &Variant, name: &str, windows: &[f64]| -> Result<_, String> {
        let mut h = hc::build(spec, v, name);
        h.circuit.source = source.to_string();
        let run = simulate_with(h.circuit.clone(), &hc::feedback_times(&h), &mut |sim, t| {
            hc::feed_back(&h, sim, t)
        })?;
        let readouts = hc::read(&h, &run, windows);
        let m = compare(&h, &readouts, windows, spec.memory.rho0_hz, spec.memory.offset);
        Ok((run, h, m))
    };
    let (run, h, main) = measure(&main_variant, &spec.name, &windows)?;
    let other = if spec.inhibition.compare_without {
        let v = Variant {
            pool: !pool,
            ..main_variant.clone()
        };
        Some(measure(&v, &format!("{}_other_pool", spec.name), &windows)?.2)
    } else {
        None
    };
    let sweep_flip = vec![0.2];
    let sw = &spec.sweeps;
    let mut beta_sweep = Vec::new();
    for &b in &sw.beta {
        let v = Variant {
            beta: b,
            flips: sweep_flip.clone(),
            per_level: sw.queries,
            window_ms: sw.window_ms,
            iterations: 1,
            ..main_variant.clone()
        };
        let m = measure(&v, &format!("{}_beta_{b}", spec.name), &[sw.window_ms])?.2;
        let k = m.mixed.len().max(1) as f64;
        beta_sweep.push((
            b,
            m.mixed.iter().map(|x| x.0).sum::<f64>() / k,
            m.mixed.iter().map(|x| x.1).sum::<f64>() / k,
        ));
    }
    let mut capacity = Vec::new();
    for &count in &sw.patterns {
        let v = Variant {
            count,
            flips: sweep_flip.clone(),
            per_level: sw.queries,
            window_ms: sw.window_ms,
            iterations: 1,
            ..main_variant.clone()
        };
        let m = measure(&v, &format!("{}_n_{count}", spec.name), &[sw.window_ms])?.2;
        let l = &m.levels[0];
        capacity.push((count, l.circuit, l.modern, l.classical));
    }
    Ok((
        run,
        h,
        output::hippocampus::Experiment {
            main,
            other,
            beta_sweep,
            capacity,
        },
    ))
}

pub fn run(paths: &[PathBuf], out: &Path, seed: Option<u64>, export_network: bool) -> u8 {
    let circuits = match load_all(paths) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return EXIT_BAD_INPUT;
        }
    };
    for mut loaded in circuits {
        if let Some(s) = seed {
            loaded.set_seed(s);
        }
        if let Err((code, e)) = run_one(loaded, out, export_network) {
            eprintln!("error: {e}");
            return code;
        }
    }
    0
}

pub fn validate(paths: &[PathBuf]) -> u8 {
    let mut code = 0;
    for p in paths {
        match circuits::load(p) {
            Ok(c) => outln!("{}: ok ({})", p.display(), c.name()),
            Err(e) => {
                eprintln!("{e}");
                code = EXIT_BAD_INPUT;
            }
        }
    }
    code
}
