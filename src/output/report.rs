//! `report.md`: a short human-readable account of a run.

use std::fmt::Write;

use crate::experiment::simulate::RunResult;

pub fn report(run: &RunResult, summary: &serde_json::Value) -> String {
    let mut s = String::new();
    let net = run.net();
    let _ = writeln!(s, "# {}\n", run.circuit.name);
    if !run.circuit.description.is_empty() {
        let _ = writeln!(s, "{}\n", run.circuit.description);
    }
    let _ = writeln!(
        s,
        "Source `{}`, seed {}, {} ms of biological time.\n",
        run.circuit.source, net.seed, run.circuit.duration_ms
    );
    let _ = writeln!(
        s,
        "| population | model | neurons | spikes | mean rate (Hz) |\n|---|---|---|---|---|"
    );
    if let Some(pops) = summary["populations"].as_array() {
        for p in pops {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {:.3} |",
                p["name"].as_str().unwrap_or(""),
                p["model"].as_str().unwrap_or(""),
                p["neurons"],
                p["spikes"],
                p["mean_rate_hz"].as_f64().unwrap_or(0.0)
            );
        }
    }
    let _ = writeln!(
        s,
        "\n{} synapses ({:.2} bytes each), {} synaptic events, epoch {} ms. Wall-clock times and \
         events per second: `timings.json`.\n",
        net.synapse_count(),
        net.bytes_per_synapse(),
        run.sim.events_delivered,
        run.sim.epoch_ms()
    );
    if run.circuit.output.raster {
        let _ = writeln!(s, "![spike raster](raster.png)");
    }
    s
}
