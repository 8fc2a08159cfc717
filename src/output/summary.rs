//! `summary.json`: the run's figures (sizes, spikes, rates, events, timings, memory).

use serde_json::{Value, json};

use crate::experiment::simulate::RunResult;

/// What `synaptic_events` counts, as summary.json says it.
pub const SYNAPTIC_EVENTS_COUNTED_AS: &str = "deliveries that change a target: one per synapse of a spiking presynaptic neuron (sparse), per set bit reached (bit matrices), per non-zero weight (dense; every pair for event-counting targets such as parrots)";

/// Synaptic events delivered per second of wall-clock simulation time.
pub fn events_per_second(run: &RunResult) -> f64 {
    run.sim.events_delivered as f64 / run.simulate_seconds.max(1e-12)
}

/// `timings.json`: the wall-clock figures of a run, and how many recorded spikes went to disk
/// past the memory budget (they differ from run to run and machine to machine; everything in
/// `summary.json` does not).
pub fn timings(run: &RunResult, compare_seconds: f64) -> Value {
    json!({
        "threads": rayon::current_num_threads(),
        "build_seconds": run.build_seconds,
        "simulate_seconds": run.simulate_seconds,
        "compare_seconds": compare_seconds,
        "events_per_second": events_per_second(run),
        "spikes_streamed_to_disk": run.spikes.spilled(),
    })
}

pub fn summary(run: &RunResult) -> Value {
    let net = run.net();
    let seconds = run.circuit.duration_ms / 1000.0;
    let populations: Vec<Value> = net
        .populations
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let syn_in: usize = net
                .projections
                .iter()
                .filter(|q| q.post == k)
                .map(|q| q.conn.len())
                .sum();
            let syn_out: usize = net
                .projections
                .iter()
                .filter(|q| q.pre == k)
                .map(|q| q.conn.len())
                .sum();
            let spikes = run.sim.spike_counts[k];
            let mut entry = json!({
                "name": p.name,
                "model": p.model,
                "neurons": p.size,
                "synapses_in": syn_in,
                "synapses_out": syn_out,
                "spikes": spikes,
                "mean_rate_hz": spikes as f64 / (p.size as f64 * seconds),
                "spikes_recorded": run.circuit.record_spikes[k],
            });
            if let Some(n) = net.groups[k].rate_clipped() {
                // Rate updates held at max_rate_hz: the spikes are fewer than the model says.
                entry["rate_clipped"] = json!(n);
            }
            entry
        })
        .collect();
    let projections: Vec<Value> = net
        .projections
        .iter()
        .map(|q| {
            json!({
                "name": q.name,
                "pre": net.populations[q.pre].name,
                "post": net.populations[q.post].name,
                "synapses": q.conn.len(),
                "bytes": q.conn.bytes(),
            })
        })
        .collect();
    json!({
        "circuit": run.circuit.name,
        "description": run.circuit.description,
        "source": run.circuit.source,
        "seed": net.seed,
        "duration_ms": run.circuit.duration_ms,
        "neurons": net.neuron_count(),
        "synapses": net.synapse_count(),
        "spikes": run.sim.spike_counts.iter().sum::<u64>(),
        "synaptic_events": run.sim.events_delivered,
        "synaptic_events_counted_as": SYNAPTIC_EVENTS_COUNTED_AS,
        "populations": populations,
        "projections": projections,
        "epoch_ms": run.sim.epoch_ms(),
        "bytes_per_synapse": net.bytes_per_synapse(),
    })
}
