//! The circuit file as written: TOML tables deserialised with unknown keys refused. Fields whose
//! shape depends on another field (model parameters, distributions, connection rules) stay TOML
//! values here and are read by `values.rs`.

use serde::Deserialize;

fn yes() -> bool {
    true
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct CircuitToml {
    /// Output folder name.
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub seed: u64,
    pub duration_ms: f64,
    #[serde(default)]
    pub output: OutputToml,
    #[serde(default)]
    pub population: Vec<PopulationToml>,
    #[serde(default)]
    pub stimulus: Vec<StimulusToml>,
    #[serde(default)]
    pub projection: Vec<ProjectionToml>,
    #[serde(default)]
    pub recorder: Vec<RecorderToml>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct OutputToml {
    #[serde(default = "yes")]
    pub raster: bool,
    #[serde(default)]
    pub connections: bool,
    #[serde(default)]
    pub initial_state: bool,
}

impl Default for OutputToml {
    fn default() -> Self {
        OutputToml {
            raster: true,
            connections: false,
            initial_state: false,
        }
    }
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum NeuronModelToml {
    Lif,
    Parrot,
    EscapeNoise,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct PopulationToml {
    pub name: String,
    pub size: i64,
    pub model: NeuronModelToml,
    #[serde(default)]
    pub params: toml::Table,
    pub v_init: Option<toml::Value>,
    #[serde(default = "yes")]
    pub record: bool,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum SourceModelToml {
    Poisson,
    SpikeTimes,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct StimulusToml {
    pub name: String,
    pub model: SourceModelToml,
    pub size: Option<i64>,
    pub rate_hz: Option<f64>,
    pub start_ms: Option<f64>,
    pub stop_ms: Option<f64>,
    pub times_ms: Option<Vec<Vec<f64>>>,
    #[serde(default = "yes")]
    pub record: bool,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct ProjectionToml {
    pub name: Option<String>,
    pub pre: String,
    pub post: String,
    pub connectivity: toml::Value,
    pub weight: Option<toml::Value>,
    pub delay_ms: toml::Value,
    pub delay_step_ms: Option<f64>,
    #[serde(default = "yes")]
    pub autapses: bool,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum RecorderKind {
    Membrane,
    Weights,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct RecorderToml {
    #[serde(rename = "type")]
    pub kind: RecorderKind,
    pub population: Option<String>,
    pub projection: Option<String>,
    pub neurons: Option<Vec<i64>>,
    pub interval_ms: Option<f64>,
    pub times_ms: Option<Vec<f64>>,
}
