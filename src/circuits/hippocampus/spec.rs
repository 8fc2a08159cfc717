//! `circuit = "hippocampus_hopfield"` files: memory neurons with divisive normalisation.

use serde::Deserialize;

use crate::config::error::{ConfigErrors, Reporter};
use crate::config::source::FieldPath;

fn yes() -> bool {
    true
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct HippocampusToml {
    pub circuit: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub seed: u64,
    pub hopfield: HopfieldToml,
    pub memory: MemoryToml,
    pub inhibition: InhibitionToml,
    pub protocol: ProtocolToml,
    #[serde(default)]
    pub sweeps: SweepsToml,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct HopfieldToml {
    /// Feature dimension D (±1 patterns).
    pub dim: usize,
    /// Stored patterns N (one memory neuron each).
    pub patterns: usize,
    /// The modern Hopfield β of `softmax(β Xᵀξ)`.
    pub beta: f64,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct MemoryToml {
    /// Rate (Hz) of a memory neuron whose pattern agrees with the query on `offset` × D bits.
    pub rho0_hz: f64,
    /// Fraction of agreeing bits at which the rate is `rho0_hz`.
    pub offset: f64,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct InhibitionToml {
    /// The inhibitory pool that normalises the memory population.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Also run the circuit without the pool and report both.
    #[serde(default = "yes")]
    pub compare_without: bool,
    /// Inhibition (I) each pool spike adds to every memory neuron, for `psp_ms`.
    pub weight: f64,
    pub psp_ms: f64,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct ProtocolToml {
    /// Fractions of a stored pattern's bits flipped to make queries.
    pub query_flip: Vec<f64>,
    pub queries_per_level: usize,
    /// Readout window after each query (ms).
    pub window_ms: f64,
    /// Shorter windows (ms) at which spike fractions are also evaluated.
    pub window_sweep_ms: Vec<f64>,
    /// Presentations per query: 1 is one update; more feed the sign of each readout back to the
    /// feature neurons as the next query (iterated retrieval).
    #[serde(default = "one")]
    pub iterations: usize,
}

fn one() -> usize {
    1
}

#[derive(Deserialize, Debug, Clone, Default)]
#[serde(deny_unknown_fields)]
pub struct SweepsToml {
    /// β values for the regime sweep (global average, metastable mixtures, single pattern).
    #[serde(default)]
    pub beta: Vec<f64>,
    /// Numbers of stored patterns for the capacity comparison.
    #[serde(default)]
    pub patterns: Vec<usize>,
    /// Queries per sweep point.
    #[serde(default = "five")]
    pub queries: usize,
    /// Readout window of the sweeps (ms).
    #[serde(default = "sweep_window")]
    pub window_ms: f64,
}

fn five() -> usize {
    5
}
fn sweep_window() -> f64 {
    1000.0
}

pub fn parse(path: &str, text: &str) -> Result<HippocampusToml, ConfigErrors> {
    crate::config::parse_checked(path, text, |r: &mut Reporter, c: &HippocampusToml| {
        let root = FieldPath::root();
        let h = root.key("hopfield");
        if !(1..=4096).contains(&c.hopfield.dim) {
            r.at(
                &h.key("dim"),
                format!("dim = {}", c.hopfield.dim),
                "give 1 ≤ dim ≤ 4096",
            );
        }
        if !(1..=10_000).contains(&c.hopfield.patterns) {
            r.at(
                &h.key("patterns"),
                format!("patterns = {}", c.hopfield.patterns),
                "give 1 ≤ patterns ≤ 10000",
            );
        }
        if !(c.hopfield.beta >= 0.0 && c.hopfield.beta.is_finite()) {
            r.at(&h.key("beta"), "beta must be ≥ 0", "e.g. beta = 0.1");
        }
        if !(c.memory.rho0_hz > 0.0 && c.memory.rho0_hz.is_finite() && (0.0..=1.0).contains(&c.memory.offset))
        {
            r.at(
                &root.key("memory"),
                "need rho0_hz > 0 and 0 ≤ offset ≤ 1",
                "e.g. rho0_hz = 100.0, offset = 0.8",
            );
        }
        if !(c.inhibition.weight >= 0.0 && c.inhibition.psp_ms > 0.0) {
            r.at(
                &root.key("inhibition"),
                "need weight ≥ 0 and psp_ms > 0",
                "e.g. weight = 0.2, psp_ms = 50.0",
            );
        }
        let p = root.key("protocol");
        for (i, x) in c.protocol.query_flip.iter().enumerate() {
            if !(0.0..=1.0).contains(x) {
                r.at(
                    &p.key("query_flip").index(i),
                    format!("{x} is outside [0, 1]"),
                    "fractions of flipped bits",
                );
            }
        }
        if c.protocol.queries_per_level == 0 || c.protocol.query_flip.is_empty() {
            r.at(
                &p.key("queries_per_level"),
                "no queries",
                "give query_flip levels and queries_per_level ≥ 1",
            );
        }
        if !(c.protocol.window_ms >= 10.0 && c.protocol.window_ms.is_finite()) {
            r.at(&p.key("window_ms"), "the readout window must be ≥ 10 ms", "");
        }
        for (i, w) in c.protocol.window_sweep_ms.iter().enumerate() {
            if !(*w > 0.0 && *w <= c.protocol.window_ms) {
                r.at(
                    &p.key("window_sweep_ms").index(i),
                    format!("{w} ms is not in (0, window_ms]"),
                    "",
                );
            }
        }
    })
}
