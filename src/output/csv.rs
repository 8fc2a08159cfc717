//! The CSV files of a run: spikes, membrane samples, weights, connections, initial state.
//! Times and values are written in Rust's shortest round-trip form, so reading them back gives
//! the simulator's exact numbers.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use crate::config::protocol::ReadoutKind;

use crate::experiment::simulate::RunResult;

fn create(path: &Path) -> std::io::Result<BufWriter<File>> {
    Ok(BufWriter::with_capacity(1 << 20, File::create(path)?))
}

/// `spikes.csv`: `time_ms,population,neuron`, sorted by time then global index.
pub fn spikes(dir: &Path, run: &RunResult) -> std::io::Result<()> {
    let mut w = create(&dir.join("spikes.csv"))?;
    writeln!(w, "time_ms,population,neuron")?;
    let net = run.net();
    for s in &run.spikes {
        let p = net.population_of(s.neuron);
        if !run.circuit.record_spikes[p] {
            continue; // kept for a readout, not asked for in spikes.csv
        }
        let pop = &net.populations[p];
        writeln!(w, "{},{},{}", s.time, pop.name, s.neuron - pop.offset)?;
    }
    w.flush()
}

/// `membrane.csv`: `time_ms,population,neuron,v_m`.
pub fn membrane(dir: &Path, run: &RunResult) -> std::io::Result<()> {
    let mut w = create(&dir.join("membrane.csv"))?;
    writeln!(w, "time_ms,population,neuron,v_m")?;
    for (pop, samples) in &run.membrane {
        let name = &run.net().populations[*pop].name;
        for s in samples {
            writeln!(w, "{},{},{},{}", s.time, name, s.neuron, s.value)?;
        }
    }
    w.flush()
}

/// `weights.csv`: `time_ms,projection,pre,post,weight`.
pub fn weights(dir: &Path, run: &RunResult) -> std::io::Result<()> {
    let mut w = create(&dir.join("weights.csv"))?;
    writeln!(w, "time_ms,projection,pre,post,weight")?;
    for snap in &run.weights {
        let name = &run.net().projections[snap.projection].name;
        for (pre, post, weight) in &snap.weights {
            writeln!(w, "{},{},{},{},{}", snap.time, name, pre, post, weight)?;
        }
    }
    w.flush()
}

/// `connections.csv`: every synapse, enough for another simulator to rebuild the network.
pub fn connections(dir: &Path, run: &RunResult) -> std::io::Result<()> {
    let mut w = create(&dir.join("connections.csv"))?;
    writeln!(w, "pre_population,pre,post_population,post,weight,delay_ms")?;
    let net = run.net();
    for proj in &net.projections {
        let (pre_name, post_name) = (&net.populations[proj.pre].name, &net.populations[proj.post].name);
        let mut result = Ok(());
        proj.conn.for_each(|pre, post, weight, delay| {
            if result.is_ok() {
                result = writeln!(w, "{pre_name},{pre},{post_name},{post},{weight},{delay}");
            }
        });
        result?;
    }
    w.flush()
}

/// `initial_state.csv`: `population,neuron,v_m` at time 0.
pub fn initial_state(dir: &Path, run: &RunResult) -> std::io::Result<()> {
    let mut w = create(&dir.join("initial_state.csv"))?;
    writeln!(w, "population,neuron,v_m")?;
    for (pop, v) in run.net().populations.iter().zip(&run.initial_v) {
        if let Some(v) = v {
            for (i, x) in v.iter().enumerate() {
                writeln!(w, "{},{i},{x}", pop.name)?;
            }
        }
    }
    w.flush()
}

/// `inputs.csv`: `time_ms,population,neuron,input` — every summed input jump recorded.
pub fn inputs(dir: &Path, run: &RunResult) -> std::io::Result<()> {
    let mut w = create(&dir.join("inputs.csv"))?;
    writeln!(w, "time_ms,population,neuron,input")?;
    for (pop, samples) in &run.inputs {
        let name = &run.net().populations[*pop].name;
        for s in samples {
            writeln!(w, "{},{},{},{}", s.time, name, s.neuron, s.value)?;
        }
    }
    w.flush()
}

/// Most rows `readouts.csv` holds; larger readouts are left out (and named in the report).
pub const MAX_READOUT_ROWS: usize = 5_000_000;

/// `readouts.csv`: `readout,phase,trial,presentation,neuron,value` — one row per neuron that
/// fired for `fired` (value 1) and `counts` readouts (its count over the whole window; neurons
/// left out counted 0), one row per neuron otherwise. Returns the readouts left out for size.
pub fn readouts(dir: &Path, run: &RunResult) -> std::io::Result<Vec<String>> {
    let mut w = create(&dir.join("readouts.csv"))?;
    writeln!(w, "readout,phase,trial,presentation,neuron,value")?;
    let mut skipped = Vec::new();
    let mut rows = 0usize;
    for r in &run.readouts {
        let size: usize = r
            .phases
            .iter()
            .flat_map(|p| p.values.iter().flatten())
            .map(|v| {
                v.set.len()
                    + if r.kind == ReadoutKind::Counts {
                        v.vector.iter().filter(|x| **x != 0.0).count()
                    } else {
                        v.vector.len()
                    }
            })
            .sum();
        if rows + size > MAX_READOUT_ROWS {
            skipped.push(r.name.clone());
            continue;
        }
        rows += size;
        for p in &r.phases {
            let phase = &run.circuit.protocol.phases[p.phase].name;
            for (trial, per) in p.values.iter().enumerate() {
                for (k, v) in per.iter().enumerate() {
                    for &n in &v.set {
                        writeln!(w, "{},{phase},{trial},{k},{n},1", r.name)?;
                    }
                    for (n, x) in v.vector.iter().enumerate() {
                        if r.kind == ReadoutKind::Counts && *x == 0.0 {
                            continue;
                        }
                        writeln!(w, "{},{phase},{trial},{k},{n},{x}", r.name)?;
                    }
                }
            }
        }
    }
    w.flush()?;
    Ok(skipped)
}

/// `weight_traces.csv`: `time_ms,projection,pre,post,weight` — the traced synapses' weights at
/// the start and after every change (by time, then as the rules made them).
pub fn weight_traces(dir: &Path, run: &RunResult) -> std::io::Result<()> {
    let mut w = create(&dir.join("weight_traces.csv"))?;
    writeln!(w, "time_ms,projection,pre,post,weight")?;
    let mut changes = run.sim.weight_changes.clone();
    changes.sort_by(|a, b| a.time.total_cmp(&b.time));
    for c in &changes {
        let name = &run.net().projections[c.projection].name;
        writeln!(w, "{},{},{},{},{}", c.time, name, c.pre, c.post, c.weight)?;
    }
    w.flush()
}
