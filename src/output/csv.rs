//! The CSV files of a run: spikes, membrane samples, weights, connections, initial state.
//! Times and values are written in Rust's shortest round-trip form, so reading them back gives
//! the simulator's exact numbers.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use crate::circuits::generic::RunResult;

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
