//! `engram bench`: simulation speed on cuba_ed (or a given circuit), without writing outputs.

use std::path::Path;

use super::EXIT_BAD_INPUT;
use crate::config;
use crate::experiment::{builtin, simulate};

pub fn bench(circuit: Option<&Path>, repeats: usize, duration_ms: Option<f64>, json: bool) -> u8 {
    let loaded = match circuit {
        Some(p) => config::load(p),
        None => config::parse(
            "circuits/cuba_ed.toml",
            builtin::find("circuits/cuba_ed.toml").unwrap_or(""),
        ),
    };
    let mut circuit = match loaded {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return EXIT_BAD_INPUT;
        }
    };
    if let Some(d) = duration_ms {
        if !(d > 0.0 && d.is_finite()) {
            eprintln!("error: --duration-ms must be positive");
            return EXIT_BAD_INPUT;
        }
        circuit.duration_ms = d;
    }
    circuit.recorders.clear();
    if !circuit.protocol.phases.is_empty() && duration_ms.is_some() {
        eprintln!("error: --duration-ms would cut this circuit's protocol; leave it out");
        return EXIT_BAD_INPUT;
    }
    let mut rows = Vec::new();
    let mut shares = Vec::new();
    for _ in 0..repeats.max(1) {
        let run = match simulate::run(circuit.clone(), &mut |_| {}) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_BAD_INPUT;
            }
        };
        shares = run.sim.part_shares().to_vec();
        rows.push((
            run.build_seconds,
            run.simulate_seconds,
            run.sim.events_delivered,
            run.sim.spike_counts.iter().sum::<u64>(),
            run.net().synapse_count(),
            run.net().bytes_per_synapse(),
        ));
    }
    let mut sims: Vec<f64> = rows.iter().map(|r| r.1).collect();
    sims.sort_by(f64::total_cmp);
    let best = sims[0];
    let median = sims[sims.len() / 2];
    let (build, _, events, spikes, synapses, bps) = rows[0];
    let figures = serde_json::json!({
        "circuit": circuit.name,
        "duration_ms": circuit.duration_ms,
        "repeats": rows.len(),
        "threads": rayon::current_num_threads(),
        "synapses": synapses,
        "bytes_per_synapse": bps,
        "spikes": spikes,
        "synaptic_events": events,
        "build_seconds": build,
        "simulate_seconds_best": best,
        "simulate_seconds_median": median,
        "events_per_second_best": events as f64 / best,
        "events_per_second_median": events as f64 / median,
        "part_shares_at_end": shares,
    });
    if json {
        outln!("{}", serde_json::to_string_pretty(&figures).unwrap_or_default());
    } else {
        outln!(
            "engram bench: {} ({} ms simulated, {} repeats, {} thread(s))",
            circuit.name,
            circuit.duration_ms,
            rows.len(),
            rayon::current_num_threads()
        );
        outln!("  synapses            {synapses} ({bps:.2} bytes per synapse)");
        outln!("  spikes              {spikes}");
        outln!("  synaptic events     {events}");
        outln!("  build               {build:.3} s");
        outln!("  simulate            best {best:.3} s, median {median:.3} s");
        outln!(
            "  events per second   best {:.3e}, median {:.3e}",
            events as f64 / best,
            events as f64 / median
        );
        if shares.len() > 1 {
            let shown: Vec<String> = shares.iter().map(|s| format!("{s:.3}")).collect();
            outln!(
                "  parts' shares       {} (at the end of the last run; they follow the threads' speed)",
                shown.join(" / ")
            );
        }
    }
    0
}
