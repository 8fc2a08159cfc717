//! The data tables of a run: spikes, membrane samples, inputs, weights, readouts, connections,
//! initial state — each a `Table` (Parquet by default, CSV when asked), named `<table>.parquet`
//! or `<table>.csv`.

use std::path::Path;

use super::table::{Cell, Kind, Table};
use crate::config::protocol::ReadoutKind;
use crate::experiment::simulate::RunResult;

fn create(dir: &Path, run: &RunResult, stem: &str, columns: &[(&str, Kind)]) -> std::io::Result<Table> {
    Table::create(dir, stem, columns, run.circuit.output.format)
}

use Cell::{Count, Name, Real};

/// `spikes`: `time_ms,population,neuron`, sorted by time then global index.
pub fn spikes(dir: &Path, run: &RunResult) -> std::io::Result<()> {
    let mut w = create(
        dir,
        run,
        "spikes",
        &[
            ("time_ms", Kind::Real),
            ("population", Kind::Name),
            ("neuron", Kind::Count),
        ],
    )?;
    let net = run.net();
    let mut result = Ok(());
    run.spikes.visit(f64::NEG_INFINITY, f64::INFINITY, &mut |s| {
        let p = net.population_of(s.neuron);
        if result.is_err() || !run.circuit.record_spikes[p] {
            return; // kept for a readout, not asked for in the spikes table
        }
        let pop = &net.populations[p];
        result = w.row(&[
            Real(s.time),
            Name(&pop.name),
            Count(u64::from(s.neuron) - pop.offset as u64),
        ]);
    });
    result?;
    if let Some(e) = run.spikes.read_error() {
        return Err(std::io::Error::other(e));
    }
    w.finish()
}

/// `membrane`: `time_ms,population,neuron,v_m`.
pub fn membrane(dir: &Path, run: &RunResult) -> std::io::Result<()> {
    samples(dir, run, "membrane", "v_m", &run.membrane)
}

/// A table of recorded samples, `time_ms,population,neuron,<value>`.
fn samples(
    dir: &Path,
    run: &RunResult,
    stem: &str,
    value: &str,
    recorded: &[(usize, Vec<crate::engine::neuron::StateSample>)],
) -> std::io::Result<()> {
    let mut w = create(
        dir,
        run,
        stem,
        &[
            ("time_ms", Kind::Real),
            ("population", Kind::Name),
            ("neuron", Kind::Count),
            (value, Kind::Real),
        ],
    )?;
    for (pop, samples) in recorded {
        let name = &run.net().populations[*pop].name;
        for s in samples {
            w.row(&[
                Real(s.time),
                Name(name),
                Count(u64::from(s.neuron)),
                Real(s.value),
            ])?;
        }
    }
    w.finish()
}

const WEIGHT_COLUMNS: [(&str, Kind); 5] = [
    ("time_ms", Kind::Real),
    ("projection", Kind::Name),
    ("pre", Kind::Count),
    ("post", Kind::Count),
    ("weight", Kind::Real),
];

/// `weights`: `time_ms,projection,pre,post,weight`.
pub fn weights(dir: &Path, run: &RunResult) -> std::io::Result<()> {
    let mut w = create(dir, run, "weights", &WEIGHT_COLUMNS)?;
    for snap in &run.weights {
        let name = &run.net().projections[snap.projection].name;
        for (pre, post, weight) in &snap.weights {
            w.row(&[
                Real(snap.time),
                Name(name),
                Count(u64::from(*pre)),
                Count(u64::from(*post)),
                Real(*weight),
            ])?;
        }
    }
    w.finish()
}

/// `connections`: every synapse, enough for another simulator to rebuild the network.
pub fn connections(dir: &Path, run: &RunResult) -> std::io::Result<()> {
    let mut w = create(
        dir,
        run,
        "connections",
        &[
            ("pre_population", Kind::Name),
            ("pre", Kind::Count),
            ("post_population", Kind::Name),
            ("post", Kind::Count),
            ("weight", Kind::Real),
            ("delay_ms", Kind::Real),
        ],
    )?;
    let net = run.net();
    for proj in &net.projections {
        let (pre_name, post_name) = (&net.populations[proj.pre].name, &net.populations[proj.post].name);
        let mut result = Ok(());
        proj.conn.for_each(|pre, post, weight, delay| {
            if result.is_ok() {
                result = w.row(&[
                    Name(pre_name),
                    Count(u64::from(pre)),
                    Name(post_name),
                    Count(u64::from(post)),
                    Real(weight),
                    Real(delay),
                ]);
            }
        });
        result?;
    }
    w.finish()
}

/// `initial_state`: `population,neuron,v_m` at time 0.
pub fn initial_state(dir: &Path, run: &RunResult) -> std::io::Result<()> {
    let mut w = create(
        dir,
        run,
        "initial_state",
        &[
            ("population", Kind::Name),
            ("neuron", Kind::Count),
            ("v_m", Kind::Real),
        ],
    )?;
    for (pop, v) in run.net().populations.iter().zip(&run.initial_v) {
        if let Some(v) = v {
            for (i, x) in v.iter().enumerate() {
                w.row(&[Name(&pop.name), Count(i as u64), Real(*x)])?;
            }
        }
    }
    w.finish()
}

/// `inputs`: `time_ms,population,neuron,input` — every summed input jump recorded.
pub fn inputs(dir: &Path, run: &RunResult) -> std::io::Result<()> {
    samples(dir, run, "inputs", "input", &run.inputs)
}

/// Most rows the readouts table holds; larger readouts are left out (and named in the report).
pub const MAX_READOUT_ROWS: usize = 5_000_000;

/// `readouts`: `readout,phase,trial,presentation,neuron,value` — one row per neuron that
/// fired for `fired` (value 1) and `counts` readouts (its count over the whole window; neurons
/// left out counted 0), one row per neuron otherwise. Returns the readouts left out for size.
pub fn readouts(dir: &Path, run: &RunResult) -> std::io::Result<Vec<String>> {
    let mut w = create(
        dir,
        run,
        "readouts",
        &[
            ("readout", Kind::Name),
            ("phase", Kind::Name),
            ("trial", Kind::Count),
            ("presentation", Kind::Count),
            ("neuron", Kind::Count),
            ("value", Kind::Real),
        ],
    )?;
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
                    let at = |n: usize, x: f64| {
                        [
                            Name(&r.name),
                            Name(phase),
                            Count(trial as u64),
                            Count(k as u64),
                            Count(n as u64),
                            Real(x),
                        ]
                    };
                    for &n in &v.set {
                        w.row(&at(n as usize, 1.0))?;
                    }
                    for (n, x) in v.vector.iter().enumerate() {
                        if r.kind == ReadoutKind::Counts && *x == 0.0 {
                            continue;
                        }
                        w.row(&at(n, *x))?;
                    }
                }
            }
        }
    }
    w.finish()?;
    Ok(skipped)
}

/// `weight_traces`: `time_ms,projection,pre,post,weight` — the traced synapses' weights at
/// the start and after every change (by time, then as the rules made them).
pub fn weight_traces(dir: &Path, run: &RunResult) -> std::io::Result<()> {
    let mut w = create(dir, run, "weight_traces", &WEIGHT_COLUMNS)?;
    let mut changes = run.sim.weight_changes.clone();
    changes.sort_by(|a, b| a.time.total_cmp(&b.time));
    for c in &changes {
        let name = &run.net().projections[c.projection].name;
        w.row(&[
            Real(c.time),
            Name(name),
            Count(u64::from(c.pre)),
            Count(u64::from(c.post)),
            Real(c.weight),
        ])?;
    }
    w.finish()
}
