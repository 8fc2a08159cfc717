//! `engram run` and `engram validate`.

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};

use super::{EXIT_BAD_INPUT, EXIT_FAILURE};
use crate::circuits::{builtin, generic};
use crate::config::{self, Circuit};

/// The circuits to run: the given files, or the built-in defaults.
pub fn load_all(paths: &[PathBuf]) -> Result<Vec<Circuit>, String> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    if paths.is_empty() {
        for (name, text) in builtin::DEFAULT_CIRCUITS {
            match config::parse(name, text) {
                Ok(c) => out.push(c),
                Err(e) => errors.push(e.to_string()),
            }
        }
    }
    for p in paths {
        match config::load(p) {
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

pub fn run(paths: &[PathBuf], out: &Path, seed: Option<u64>, export_network: bool) -> u8 {
    let circuits = match load_all(paths) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return EXIT_BAD_INPUT;
        }
    };
    for mut circuit in circuits {
        if let Some(s) = seed {
            circuit.network.seed = s;
        }
        if export_network {
            circuit.output.connections = true;
            circuit.output.initial_state = true;
        }
        let bar = progress_bar(&circuit);
        let duration = circuit.duration_ms;
        let mut report = |t: f64| {
            bar.set_position((t * 10.0).round() as u64);
            bar.set_message(format!("{t:.1} / {duration} ms"));
        };
        let result = match generic::run(circuit, &mut report) {
            Ok(r) => r,
            Err(e) => {
                bar.abandon();
                eprintln!("error: {e}");
                return EXIT_BAD_INPUT;
            }
        };
        bar.finish_and_clear();
        match crate::output::write_run(out, &result) {
            Ok(dir) => println!(
                "{}: {} neurons, {} synapses, {} spikes, {} synaptic events in {:.3} s (build {:.3} s) -> {}",
                result.circuit.name,
                result.net().neuron_count(),
                result.net().synapse_count(),
                result.sim.spike_counts.iter().sum::<u64>(),
                result.sim.events_delivered,
                result.simulate_seconds,
                result.build_seconds,
                dir.display()
            ),
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_FAILURE;
            }
        }
    }
    0
}

pub fn validate(paths: &[PathBuf]) -> u8 {
    let mut code = 0;
    for p in paths {
        match config::load(p) {
            Ok(c) => println!(
                "{}: ok ({} populations, {} projections, {} ms)",
                p.display(),
                c.network.populations.len(),
                c.network.projections.len(),
                c.duration_ms
            ),
            Err(e) => {
                eprintln!("{e}");
                code = EXIT_BAD_INPUT;
            }
        }
    }
    code
}
