//! The circuit file as written: TOML tables deserialised with unknown keys refused. Numbers may
//! be written as expressions over `[let]` names (`Num`); fields whose shape depends on another
//! field (model parameters, distributions, connection rules, comparison keys) stay TOML values
//! here and are read by `values.rs` and the registries.

use serde::Deserialize;

/// A number, or a string holding an expression over `[let]` names (`"2 * n"`).
pub type Num = toml::Value;

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
    /// Simulated time; default: the end of the last phase.
    pub duration_ms: Option<Num>,
    /// Named numbers and derived values.
    #[serde(default, rename = "let")]
    pub lets: toml::Table,
    #[serde(default)]
    pub output: OutputToml,
    #[serde(default)]
    pub pattern: Vec<PatternToml>,
    #[serde(default)]
    pub population: Vec<PopulationToml>,
    #[serde(default)]
    pub stimulus: Vec<StimulusToml>,
    #[serde(default)]
    pub projection: Vec<ProjectionToml>,
    #[serde(default)]
    pub recorder: Vec<RecorderToml>,
    #[serde(default)]
    pub phase: Vec<PhaseToml>,
    #[serde(default)]
    pub readout: Vec<ReadoutToml>,
    /// Comparisons with the math; each table's keys depend on its `model`.
    #[serde(default)]
    pub compare: Vec<toml::Table>,
    #[serde(default)]
    pub variant: Vec<VariantToml>,
    #[serde(default)]
    pub sweep: Vec<SweepToml>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct OutputToml {
    /// The data tables (spikes, readouts, recorders, network export): `parquet` or `csv`.
    #[serde(default)]
    pub format: FormatToml,
    #[serde(default = "yes")]
    pub raster: bool,
    /// One raster of the first trial of each phase.
    #[serde(default = "yes")]
    pub phase_rasters: bool,
    #[serde(default)]
    pub connections: bool,
    #[serde(default)]
    pub initial_state: bool,
}

impl Default for OutputToml {
    fn default() -> Self {
        OutputToml {
            format: FormatToml::Parquet,
            raster: true,
            phase_rasters: true,
            connections: false,
            initial_state: false,
        }
    }
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct PopulationToml {
    pub name: String,
    pub size: Num,
    /// A registered neuron model (`lif`, `escape_noise`, `parrot`, `integrator`).
    pub model: String,
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
    pub size: Option<Num>,
    pub rate_hz: Option<Num>,
    pub start_ms: Option<Num>,
    pub stop_ms: Option<Num>,
    pub times_ms: Option<Vec<Vec<f64>>>,
    #[serde(default = "yes")]
    pub record: bool,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Default)]
#[serde(rename_all = "snake_case")]
pub enum FormatToml {
    #[default]
    Parquet,
    Csv,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum StorageToml {
    Auto,
    Sparse,
    Dense,
    Bits,
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
    pub delay_step_ms: Option<Num>,
    #[serde(default = "yes")]
    pub autapses: bool,
    pub storage: Option<StorageToml>,
    /// `{ rule = "...", <parameters> }`.
    pub plasticity: Option<toml::Table>,
    /// This projection carries teacher spikes to the rule of the named projection.
    pub teacher_of: Option<String>,
    /// Receptor of the target model (default: its ordinary synapse).
    pub receptor: Option<String>,
    /// Dense weights as "f32" or "f64" (default: what the plasticity rule needs).
    pub precision: Option<PrecisionToml>,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PrecisionToml {
    F32,
    F64,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum RecorderKind {
    Membrane,
    Weights,
    Inputs,
    /// Every change of the listed synapses' weights, as the rule makes it.
    WeightTrace,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct RecorderToml {
    #[serde(rename = "type")]
    pub kind: RecorderKind,
    pub population: Option<String>,
    pub projection: Option<String>,
    pub neurons: Option<Vec<i64>>,
    pub interval_ms: Option<Num>,
    pub times_ms: Option<Vec<Num>>,
    /// `weight_trace`: the synapses, as [pre, post].
    pub synapses: Option<Vec<Vec<i64>>>,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum PatternKind {
    /// Random 0/1 vectors.
    RandomBits,
    /// Random ±1 vectors.
    RandomSigns,
    /// Copies of another set with a fraction of the components flipped, at several levels.
    Noisy,
    /// Vectors written in the file.
    Given,
    /// Random walks in new grid worlds, one item per step: the one-hot observation.
    Walk,
    /// The grid cells' firing (±1) along the walks of another set, from the path-integrated
    /// grid code.
    GridCode,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct PatternToml {
    pub name: String,
    pub kind: PatternKind,
    pub count: Option<Num>,
    pub dim: Option<Num>,
    /// `noisy`: the set it copies.
    pub of: Option<String>,
    /// `noisy`: fractions of components flipped, one level each.
    pub flip: Option<Vec<Num>>,
    /// `noisy`: copies per level (item j copies item j mod count of `of`).
    pub per_level: Option<Num>,
    /// `given`: the vectors (0/1 or ±1).
    pub values: Option<Vec<Vec<f64>>>,
    /// `walk`: the world.
    pub world: Option<WorldToml>,
    /// `walk`: new worlds, one walk each.
    pub episodes: Option<Num>,
    /// `walk`: steps (nodes) per walk.
    pub steps: Option<Num>,
    /// `grid_code`: the modules and their cells.
    pub grid: Option<GridToml>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct WorldToml {
    /// Nodes per side.
    pub size: Num,
    /// Observations are drawn uniformly from this many categories.
    pub categories: Num,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct GridToml {
    pub modules: Num,
    /// Spacing of the first module (nodes).
    pub scale: Num,
    /// Spacing ratio of successive modules.
    pub ratio: Num,
    /// Orientation of the first module's first wave (degrees).
    pub orientation_deg: Option<Num>,
    /// Added per module (degrees).
    pub rotation_deg: Option<Num>,
    /// Cell phases per module: this many squared, spread over the module's lattice cell.
    pub cells_per_side: Num,
    /// A cell fires where `Σ cos(k·(x − c))` (in [−1.5, 3]) exceeds this.
    pub threshold: Num,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum EncodeToml {
    /// Two neurons per component: `2i + 1` fires for 1 (or +1), `2i` for 0 (or −1).
    DualRail,
    /// Neuron i fires if component i is 1 (or +1).
    Ones,
    /// Neuron i fires if component i is 0 (or −1).
    Zeros,
    /// Neuron k fires, k the item's index in its set.
    OneHot,
    /// Neuron k fires, k the item's step within its episode (sets made from walks).
    OneHotInEpisode,
    /// Every neuron fires.
    All,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct PresentToml {
    /// A `spike_times` stimulus.
    pub to: String,
    /// The pattern set to present (default: the phase's `each`).
    pub pattern: Option<String>,
    pub encode: EncodeToml,
    /// Offset from the presentation time, ms.
    pub at_ms: Option<Num>,
    /// Repeat the volley every this many ms ...
    pub every_ms: Option<Num>,
    /// ... until this offset (exclusive).
    pub until_ms: Option<Num>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct FeedbackToml {
    /// A `membrane_change`, `input_sum` or `counts` readout; its sign is presented next.
    pub readout: String,
    pub to: String,
    pub encode: EncodeToml,
    /// Further presentations per trial, each the previous readout's sign.
    pub repeats: Num,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct PhaseToml {
    pub name: String,
    /// One trial per item of this pattern set ...
    pub each: Option<String>,
    /// ... or this many trials without a pattern (volleys with `encode = "all"` or `one_hot`).
    pub trials: Option<Num>,
    /// Default: where the previous phase ends (the first: 0).
    pub start_ms: Option<Num>,
    /// Time from one presentation to the next.
    pub interval_ms: Num,
    /// Plasticity of the named projections during the phase.
    #[serde(default)]
    pub plasticity: toml::Table,
    /// Projections whose weights return to their initial values at the start of every episode
    /// of the phase's set.
    #[serde(default)]
    pub reset_each_episode: Vec<String>,
    #[serde(default)]
    pub present: Vec<PresentToml>,
    pub feedback: Option<FeedbackToml>,
}

pub use super::protocol::ReadoutKind;

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct ReadoutToml {
    pub name: String,
    pub kind: ReadoutKind,
    /// The population read (all kinds but `weight_change`).
    pub population: Option<String>,
    /// `weight_change`: the projection read ...
    pub projection: Option<String>,
    /// ... and which of its synapses, as [pre, post] (default: all, by presynaptic neuron).
    pub synapses: Option<Vec<Vec<i64>>>,
    /// Phases to read (default: all).
    pub phases: Option<Vec<String>>,
    /// Window `[from_ms, to_ms)` after each presentation.
    pub from_ms: Num,
    pub to_ms: Num,
    /// `counts`: also count over `[from_ms, from_ms + p)` for each p.
    pub prefixes_ms: Option<Vec<Num>>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct VariantToml {
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// `[let]` values replaced in this variant.
    #[serde(rename = "let")]
    pub lets: toml::Table,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct SweepPlotToml {
    /// The swept name on the x axis.
    pub x: String,
    /// Metrics (`<comparison>.<metric>`) on the y axis.
    pub y: Vec<String>,
    #[serde(default)]
    pub log_x: bool,
    #[serde(default)]
    pub log_y: bool,
    #[serde(default)]
    pub title: String,
}

/// A table, or an array of tables.
#[derive(Deserialize, Debug)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> Default for OneOrMany<T> {
    fn default() -> Self {
        OneOrMany::Many(Vec::new())
    }
}

impl<T> OneOrMany<T> {
    pub fn as_slice(&self) -> &[T] {
        match self {
            OneOrMany::One(x) => std::slice::from_ref(x),
            OneOrMany::Many(v) => v,
        }
    }
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct SweepToml {
    pub name: String,
    /// `[let]` values fixed for every point of the sweep.
    #[serde(default, rename = "let")]
    pub lets: toml::Table,
    /// Swept `[let]` names: a list of values, or `{ from, to, step }`; several names give the
    /// grid of all combinations.
    pub over: toml::Table,
    /// One plot, or a list of them.
    #[serde(default)]
    pub plot: OneOrMany<SweepPlotToml>,
}
