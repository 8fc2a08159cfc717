//! A validated circuit: the engine's network description, what to record and write, the
//! protocol, and the comparisons, variants and sweeps the file declares.

use super::expr::Env;
use super::protocol::Protocol;
use super::source::FieldPath;
use crate::engine::network::NetworkDesc;

/// What to record beyond spikes.
#[derive(Clone, Debug, PartialEq)]
pub enum Recorder {
    /// Membrane potential of `neurons` (local indices) of population `population` at `times`.
    Membrane {
        population: usize,
        neurons: Vec<u32>,
        times: Vec<f64>,
    },
    /// All weights of projection `projection` at each of `times` (taken at the first epoch
    /// boundary at or after each time).
    Weights { projection: usize, times: Vec<f64> },
    /// Every input jump (time, summed weight) of `neurons` of population `population`.
    Inputs { population: usize, neurons: Vec<u32> },
    /// Every change of the weights of `synapses` (pre, post) of plastic projection `projection`.
    WeightTrace {
        projection: usize,
        synapses: Vec<(u32, u32)>,
    },
}

/// A change made by the protocol at a given time (at the first epoch boundary at or after it).
#[derive(Clone, Debug, PartialEq)]
pub struct ScheduledChange {
    pub time: f64,
    pub projection: usize,
    pub plasticity: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OutputOptions {
    pub raster: bool,
    /// The data tables' format (`format`).
    pub format: TableFormat,
    pub phase_rasters: bool,
    pub connections: bool,
    pub initial_state: bool,
}

/// The file format of the data tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TableFormat {
    #[default]
    Parquet,
    Csv,
}

impl TableFormat {
    /// The name a file or flag gives it.
    pub fn parse(s: &str) -> Option<TableFormat> {
        match s {
            "parquet" => Some(TableFormat::Parquet),
            "csv" => Some(TableFormat::Csv),
            _ => None,
        }
    }

    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            TableFormat::Parquet => "parquet",
            TableFormat::Csv => "csv",
        }
    }
}

/// A `[[compare]]` block as written (its keys depend on the model; the comparison reads them).
#[derive(Clone, Debug, PartialEq)]
pub struct CompareBlock {
    pub path: FieldPath,
    pub table: toml::Table,
}

/// `[[variant]]`: the same file with some `[let]` values replaced.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    pub name: String,
    pub description: String,
    pub overrides: Vec<(String, f64)>,
}

/// How a sweep's results are plotted.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepPlot {
    pub x: String,
    pub y: Vec<String>,
    pub log_x: bool,
    pub log_y: bool,
    pub title: String,
}

/// `[[sweep]]`: the file run at every combination of the swept `[let]` values.
#[derive(Clone, Debug, PartialEq)]
pub struct Sweep {
    pub name: String,
    pub path: FieldPath,
    /// Fixed for every point.
    pub fixed: Vec<(String, f64)>,
    /// Swept names and their values.
    pub over: Vec<(String, Vec<f64>)>,
    pub plots: Vec<SweepPlot>,
}

impl Sweep {
    /// Every combination of the swept values, first name slowest.
    pub fn points(&self) -> Vec<Vec<(String, f64)>> {
        let mut points: Vec<Vec<(String, f64)>> = vec![Vec::new()];
        for (name, values) in &self.over {
            points = points
                .into_iter()
                .flat_map(|p| {
                    values.iter().map(move |v| {
                        let mut q = p.clone();
                        q.push((name.clone(), *v));
                        q
                    })
                })
                .collect();
        }
        points
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Circuit {
    pub name: String,
    pub description: String,
    /// Path of the file it came from (or `<built-in>`).
    pub source: String,
    /// The file's text (variants and sweeps are validated from it again).
    pub text: String,
    pub duration_ms: f64,
    /// The `[let]` values, after variant or sweep overrides.
    pub env: Env,
    pub network: NetworkDesc,
    /// Per population: write its spikes to the spikes table (`record`).
    pub record_spikes: Vec<bool>,
    /// Per population: keep its spikes in memory (written, or read by a readout).
    pub keep_spikes: Vec<bool>,
    pub recorders: Vec<Recorder>,
    pub changes: Vec<ScheduledChange>,
    pub output: OutputOptions,
    pub protocol: Protocol,
    pub compare: Vec<CompareBlock>,
    pub variants: Vec<Variant>,
    pub sweeps: Vec<Sweep>,
}

impl Circuit {
    pub fn population(&self, name: &str) -> Option<usize> {
        self.network.populations.iter().position(|p| p.name == name)
    }

    pub fn projection(&self, name: &str) -> Option<usize> {
        self.network.projections.iter().position(|p| p.name == name)
    }
}
