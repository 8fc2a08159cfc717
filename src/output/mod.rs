//! Writing a run to `outputs/<circuit name>/`: CSV, JSON, PNG and a short Markdown report. The
//! folder appears only once every file is written.

pub mod cerebellum;
pub mod csv;
pub mod folder;
pub mod hippocampus;
pub mod plot;
pub mod raster;
pub mod report;
pub mod summary;

use std::path::{Path, PathBuf};

use crate::circuits::generic::RunResult;
use crate::config::Recorder;

/// What a circuit adds to the standard outputs: keys merged into `summary.json`, a section of
/// `report.md`, and files (plots, tables) written into the same folder.
pub struct Extras<'a> {
    pub summary: Vec<(String, serde_json::Value)>,
    pub report: String,
    pub files: &'a dyn Fn(&Path) -> Result<(), String>,
}

/// Writes every output of `run` into `root/<circuit name>/`.
pub fn write_run(root: &Path, run: &RunResult) -> Result<PathBuf, String> {
    write_run_with(root, run, None)
}

/// Writes the standard outputs of `run` and the circuit's `extras`; the folder appears only
/// when every file is written.
pub fn write_run_with(root: &Path, run: &RunResult, extras: Option<&Extras>) -> Result<PathBuf, String> {
    let target = root.join(&run.circuit.name);
    let ctx = |what: &str| {
        let t = target.display().to_string();
        let what = what.to_string();
        move |e: std::io::Error| format!("cannot write {what} in {t}: {e}")
    };
    let staged = folder::StagedFolder::new(&target).map_err(ctx("the output folder"))?;
    let dir = staged.path();
    csv::spikes(dir, run).map_err(ctx("spikes.csv"))?;
    if run
        .circuit
        .recorders
        .iter()
        .any(|r| matches!(r, Recorder::Membrane { .. }))
    {
        csv::membrane(dir, run).map_err(ctx("membrane.csv"))?;
    }
    if !run.weights.is_empty() {
        csv::weights(dir, run).map_err(ctx("weights.csv"))?;
    }
    if run.circuit.output.connections {
        csv::connections(dir, run).map_err(ctx("connections.csv"))?;
    }
    if run.circuit.output.initial_state {
        csv::initial_state(dir, run).map_err(ctx("initial_state.csv"))?;
    }
    let mut summary = summary::summary(run);
    if let (Some(x), Some(map)) = (extras, summary.as_object_mut()) {
        for (k, v) in &x.summary {
            map.insert(k.clone(), v.clone());
        }
    }
    let json = serde_json::to_string_pretty(&summary).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("summary.json"), json + "\n").map_err(ctx("summary.json"))?;
    if run.circuit.output.raster {
        raster::raster(&dir.join("raster.png"), run).map_err(|e| format!("cannot draw raster.png: {e}"))?;
    }
    let mut text = report::report(run, &summary);
    if let Some(x) = extras {
        (x.files)(dir)?;
        text.push('\n');
        text.push_str(&x.report);
    }
    std::fs::write(dir.join("report.md"), text).map_err(ctx("report.md"))?;
    staged.commit().map_err(ctx("the output folder"))
}
