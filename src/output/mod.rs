//! Writing an experiment to `outputs/<circuit name>/`: CSV, JSON, PNG and a short Markdown
//! report for the circuit, each variant in `variants/<name>/`, and the sweeps in one
//! `sweep.csv`. The folder appears only once every file is written.

pub mod folder;
pub mod phases;
pub mod plot;
pub mod raster;
pub mod report;
pub mod summary;
pub mod sweep;
pub mod table;
pub mod tables;
pub mod traces;
pub mod variants;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::config::Recorder;
use crate::config::circuit::Variant;
use crate::experiment::simulate::RunResult;
use crate::experiment::{Done, SweepResult};

/// Writes every output of one run (and its comparisons) into `dir`; returns its summary and
/// report.
fn write_done(dir: &Path, done: &Done) -> Result<(Value, String), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let ctx = |what: &str| {
        let t = dir.display().to_string();
        let what = what.to_string();
        move |e: std::io::Error| format!("cannot write {what} in {t}: {e}")
    };
    let run = &done.run;
    tables::spikes(dir, run).map_err(ctx("spikes"))?;
    if run
        .circuit
        .recorders
        .iter()
        .any(|r| matches!(r, Recorder::Membrane { .. }))
    {
        tables::membrane(dir, run).map_err(ctx("membrane"))?;
    }
    if !run.inputs.is_empty() {
        tables::inputs(dir, run).map_err(ctx("inputs"))?;
    }
    if !run.weights.is_empty() {
        tables::weights(dir, run).map_err(ctx("weights"))?;
    }
    if !run.sim.weight_changes.is_empty() {
        tables::weight_traces(dir, run).map_err(ctx("weight_traces"))?;
        traces::plot(dir, run)?;
    }
    let skipped = if run.readouts.is_empty() {
        Vec::new()
    } else {
        tables::readouts(dir, run).map_err(ctx("readouts"))?
    };
    if run.circuit.output.connections {
        tables::connections(dir, run).map_err(ctx("connections"))?;
    }
    if run.circuit.output.initial_state {
        tables::initial_state(dir, run).map_err(ctx("initial_state"))?;
    }
    let mut summary = summary::summary(run);
    let mut comparison = serde_json::Map::new();
    for (name, o) in &done.outcomes {
        comparison.insert(name.clone(), o.metrics());
    }
    if !done.outcomes.is_empty() {
        summary["comparison"] = Value::Object(comparison);
    }
    if run.circuit.output.raster {
        raster::raster(&dir.join("raster.png"), run).map_err(|e| format!("cannot draw raster.png: {e}"))?;
    }
    let timings = serde_json::to_string_pretty(&summary::timings(run, done.compare_seconds))
        .map_err(|e| e.to_string())?;
    std::fs::write(dir.join("timings.json"), timings + "\n").map_err(ctx("timings.json"))?;
    let mut text = report::report(run, &summary);
    if run.circuit.output.phase_rasters && !run.circuit.protocol.phases.is_empty() {
        text.push_str(&phases::rasters(dir, run)?);
    }
    if !skipped.is_empty() {
        text.push_str(&format!(
            "\nReadouts left out of the readouts table (more than {} rows): {}.\n",
            tables::MAX_READOUT_ROWS,
            skipped.join(", ")
        ));
    }
    for (_, o) in &done.outcomes {
        o.figures(dir, run)?;
        text.push('\n');
        text.push_str(&o.report());
    }
    Ok((summary, text))
}

/// Writes `run` alone (no comparisons) into `root/<circuit name>/`.
pub fn write_run(root: &Path, run: RunResult) -> Result<PathBuf, String> {
    let done = Done {
        run,
        outcomes: Vec::new(),
        compare_seconds: 0.0,
    };
    let staged =
        folder::StagedFolder::claim(&root.join(&done.run.circuit.name)).map_err(|e| e.to_string())?;
    write_experiment(staged, &done, &[], &[])
}

/// Writes an experiment into the folder claimed for it: the circuit's run, its variants' runs,
/// and its sweeps.
pub fn write_experiment(
    staged: folder::StagedFolder,
    base: &Done,
    variants: &[(Variant, Done)],
    sweeps: &[SweepResult],
) -> Result<PathBuf, String> {
    let target = staged.target().to_path_buf();
    let dir = staged.path();
    let (mut summary, mut text) = write_done(dir, base)?;
    if !variants.is_empty() {
        let mut v_json = serde_json::Map::new();
        for (v, done) in variants {
            let (s, t) = write_done(&dir.join("variants").join(&v.name), done)?;
            std::fs::write(dir.join("variants").join(&v.name).join("report.md"), t)
                .map_err(|e| e.to_string())?;
            let json = serde_json::to_string_pretty(&s).map_err(|e| e.to_string())? + "\n";
            std::fs::write(dir.join("variants").join(&v.name).join("summary.json"), json)
                .map_err(|e| e.to_string())?;
            v_json.insert(
                v.name.clone(),
                json!({
                    "description": v.description,
                    "let": v.overrides.iter().map(|(k, x)| (k.clone(), json!(x))).collect::<serde_json::Map<_, _>>(),
                    "comparison": s.get("comparison").cloned().unwrap_or(Value::Null),
                }),
            );
        }
        summary["variants"] = Value::Object(v_json);
        text.push_str(&variants::section(dir, base, variants)?);
    }
    if !sweeps.is_empty() {
        summary["sweeps"] = sweep::write(dir, sweeps)?;
        text.push_str(&sweep::section(dir, sweeps)?);
    }
    let json = serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("summary.json"), json + "\n")
        .map_err(|e| format!("cannot write summary.json: {e}"))?;
    std::fs::write(dir.join("report.md"), text).map_err(|e| format!("cannot write report.md: {e}"))?;
    staged.commit().map_err(|e| {
        format!(
            "cannot move the output folder into place at {}: {e}",
            target.display()
        )
    })
}
