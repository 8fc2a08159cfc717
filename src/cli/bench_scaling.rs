//! `engram bench --scaling`: the cuba_ed family (its `[let] neurons`, constant in-degree) at
//! several sizes and thread counts — synaptic events per second, time per event and bytes per
//! synapse in a table (`scaling.csv`) and a plot (`scaling.png`). The NEST script
//! `benches/peers/nest_scaling.py` prints the same table for NEST.

use std::path::Path;

use super::EXIT_BAD_INPUT;
use crate::config;
use crate::experiment::{builtin, simulate};
use crate::output::plot::{self, Series, Style};

/// One measured cell of the table.
struct Row {
    neurons: u64,
    threads: usize,
    synapses: usize,
    bytes_per_synapse: f64,
    events: u64,
    seconds: f64,
}

/// Times the built-in cuba_ed at each size (neurons) on 1..=`max_threads` threads, `repeats`
/// times each (best kept), `duration_ms` simulated; writes `out/scaling.csv` and `.png`. The
/// thread counts of one size take turns (1, 2, …, 1, 2, …), so a drift of the machine's speed
/// during the repeats reaches every count alike rather than one.
pub fn scaling(
    sizes: &[u64],
    max_threads: usize,
    repeats: usize,
    duration_ms: f64,
    out: &Path,
    json: bool,
) -> u8 {
    let name = "circuits/cuba_ed.toml";
    let text = builtin::find(name).unwrap_or("");
    let mut rows = Vec::new();
    for &n in sizes {
        let overrides = [("neurons".to_string(), n as f64)];
        let mut circuit = match config::parse_with(name, text, &overrides, None, &format!("at neurons = {n}"))
        {
            Ok(c) => c,
            Err(e) => {
                eprintln!("{e}");
                return EXIT_BAD_INPUT;
            }
        };
        circuit.duration_ms = duration_ms;
        circuit.recorders.clear();
        let mut best: Vec<Option<Row>> = (0..max_threads).map(|_| None).collect();
        for _ in 0..repeats.max(1) {
            for (threads, best) in (1..=max_threads).zip(&mut best) {
                // One pool at a time (all of them at once would hold 1 + 2 + … + N threads).
                let pool = match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
                    Ok(p) => p,
                    Err(e) => {
                        eprintln!("error: cannot start {threads} threads: {e}");
                        return super::EXIT_FAILURE;
                    }
                };
                let run = match pool.install(|| simulate::run(circuit.clone(), &mut |_| {})) {
                    Ok(r) => r,
                    Err(e) => {
                        eprintln!("error: neurons = {n}: {e}");
                        return super::EXIT_FAILURE;
                    }
                };
                let row = Row {
                    neurons: n,
                    threads,
                    synapses: run.net().synapse_count(),
                    bytes_per_synapse: run.net().bytes_per_synapse(),
                    events: run.sim.events_delivered,
                    seconds: run.simulate_seconds,
                };
                if best.as_ref().is_none_or(|b| row.seconds < b.seconds) {
                    *best = Some(row);
                }
            }
        }
        for b in best.into_iter().flatten() {
            eprintln!(
                "  neurons {:>8}  threads {}: {:.3e} events/s",
                b.neurons,
                b.threads,
                b.events as f64 / b.seconds
            );
            rows.push(b);
        }
    }
    let one_thread = |n: u64| {
        rows.iter()
            .find(|r| r.neurons == n && r.threads == 1)
            .map(|r| r.seconds)
    };
    let smallest = rows.first().map(|r| r.seconds / r.events.max(1) as f64);
    let mut csv = String::from(
        "neurons,threads,synapses,bytes_per_synapse,synaptic_events,simulate_seconds,events_per_second,ns_per_event,speedup_vs_1_thread,ns_per_event_vs_smallest\n",
    );
    let mut table = Vec::new();
    for r in &rows {
        let ns = 1e9 * r.seconds / r.events.max(1) as f64;
        let speedup = one_thread(r.neurons).map_or(f64::NAN, |s| s / r.seconds);
        let vs_smallest = smallest.map_or(f64::NAN, |s| r.seconds / r.events.max(1) as f64 / s);
        csv.push_str(&format!(
            "{},{},{},{:.2},{},{:.4},{:.4e},{:.2},{:.3},{:.3}\n",
            r.neurons,
            r.threads,
            r.synapses,
            r.bytes_per_synapse,
            r.events,
            r.seconds,
            r.events as f64 / r.seconds,
            ns,
            speedup,
            vs_smallest
        ));
        table.push(serde_json::json!({
            "neurons": r.neurons,
            "threads": r.threads,
            "synapses": r.synapses,
            "bytes_per_synapse": r.bytes_per_synapse,
            "synaptic_events": r.events,
            "simulate_seconds": r.seconds,
            "events_per_second": r.events as f64 / r.seconds,
            "ns_per_event": ns,
            "speedup_vs_1_thread": speedup,
            "ns_per_event_vs_smallest": vs_smallest,
        }));
    }
    if let Err(e) = std::fs::create_dir_all(out).and_then(|()| std::fs::write(out.join("scaling.csv"), &csv))
    {
        eprintln!("error: cannot write {}: {e}", out.join("scaling.csv").display());
        return super::EXIT_FAILURE;
    }
    let series: Vec<Series> = sizes
        .iter()
        .map(|&n| Series {
            name: format!("{n} neurons"),
            points: rows
                .iter()
                .filter(|r| r.neurons == n)
                .map(|r| (r.threads as f64, r.events as f64 / r.seconds))
                .collect(),
            style: Style::Line,
        })
        .collect();
    if let Err(e) = plot::chart(
        &out.join("scaling.png"),
        &format!("cuba_ed at constant in-degree, {duration_ms} ms: synaptic events per second"),
        "threads",
        "synaptic events / s",
        &series,
        false,
    ) {
        eprintln!("error: cannot draw scaling.png: {e}");
        return super::EXIT_FAILURE;
    }
    if json {
        outln!("{}", serde_json::to_string_pretty(&table).unwrap_or_default());
    } else {
        outln!("engram bench --scaling: cuba_ed, {duration_ms} ms simulated, best of {repeats}");
        outln!(
            "| neurons | threads | synapses | B/synapse | events | s | events/s | ns/event | speed-up | ns/event ÷ smallest |"
        );
        outln!("|---|---|---|---|---|---|---|---|---|---|");
        for line in csv.lines().skip(1) {
            outln!("| {} |", line.replace(',', " | "));
        }
        outln!("-> {} and scaling.png", out.join("scaling.csv").display());
    }
    0
}
