//! `circuit = "cerebellum_sdm"` files: the cerebellar cortex as Sparse Distributed Memory.

use serde::Deserialize;

use crate::config::error::{ConfigErrors, Reporter};
use crate::config::source::FieldPath;

fn yes() -> bool {
    true
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Design {
    /// Each granule cell's address covers all n dimensions (Kanerva's design).
    Kanerva,
    /// Each granule cell looks at `claws` random mossy-fibre dimensions (~4 in biology).
    Claws,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct CerebellumToml {
    pub circuit: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub seed: u64,
    pub sdm: SdmToml,
    pub protocol: ProtocolToml,
    #[serde(default)]
    pub plasticity: PlasticityToml,
    #[serde(default)]
    pub output: OutputToml,
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct SdmToml {
    /// Dimensions (mossy-fibre pairs: one fires for bit 1, one for bit 0).
    pub n: usize,
    pub granule_cells: usize,
    /// Hamming radius d: a granule cell fires iff its address is within d of the input.
    pub radius: usize,
    pub design: Design,
    /// Mossy fibres per granule cell in the claw design.
    #[serde(default = "four")]
    pub claws: usize,
    /// Mismatches a claw granule cell tolerates (0: all claws must match).
    #[serde(default)]
    pub claw_radius: usize,
    /// Also build a claw granule layer (this many claws; 0: none) on the same mossy fibres and
    /// measure its effective β against the main design's.
    #[serde(default)]
    pub compare_claws: usize,
}

fn four() -> usize {
    4
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct ProtocolToml {
    /// Stored key/value patterns.
    pub patterns: usize,
    /// Values differ from keys (false: autoassociative, value = key).
    #[serde(default)]
    pub heteroassociative: bool,
    #[serde(default = "write_interval")]
    pub write_interval_ms: f64,
    #[serde(default = "read_interval")]
    pub read_interval_ms: f64,
    /// Fractions of the key's bits flipped to make queries.
    pub query_noise: Vec<f64>,
    pub queries_per_level: usize,
    /// Keep plasticity on while reading (and measure the drift it causes).
    #[serde(default)]
    pub plasticity_during_reads: bool,
}

fn write_interval() -> f64 {
    300.0
}
fn read_interval() -> f64 {
    30.0
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct PlasticityToml {
    /// LTP per parallel-fibre spike (mV); LTD at the kernel's peak is twice this.
    #[serde(default = "one")]
    pub ltp: f64,
    /// Where the LTD window peaks after the parallel-fibre spike (ms).
    #[serde(default = "peak")]
    pub peak_ms: f64,
    /// m in the kernel e^{−t/τ} sin^m(t/τ).
    #[serde(default = "four_u32")]
    pub exponent: u32,
}

fn one() -> f64 {
    1.0
}
fn peak() -> f64 {
    100.0
}
fn four_u32() -> u32 {
    4
}

impl Default for PlasticityToml {
    fn default() -> Self {
        PlasticityToml {
            ltp: 1.0,
            peak_ms: 100.0,
            exponent: 4,
        }
    }
}

#[derive(Deserialize, Debug, Clone)]
#[serde(deny_unknown_fields)]
pub struct OutputToml {
    #[serde(default = "yes")]
    pub raster: bool,
}

impl Default for OutputToml {
    fn default() -> Self {
        OutputToml { raster: true }
    }
}

/// Parses and checks a cerebellum file.
pub fn parse(path: &str, text: &str) -> Result<CerebellumToml, ConfigErrors> {
    crate::config::parse_checked(path, text, |r: &mut Reporter, c: &CerebellumToml| {
        let root = FieldPath::root();
        let sdm = root.key("sdm");
        let protocol = root.key("protocol");
        if c.circuit != "cerebellum_sdm" {
            r.at(
                &root.key("circuit"),
                format!("unknown circuit `{}`", c.circuit),
                "built circuits: \"cerebellum_sdm\", \"hippocampus_hopfield\" (or leave `circuit` out for a network file)",
            );
        }
        if !(1..=100_000).contains(&c.sdm.n) {
            r.at(
                &sdm.key("n"),
                format!("n = {} dimensions", c.sdm.n),
                "give 1 ≤ n ≤ 100000",
            );
        }
        if c.sdm.granule_cells == 0 {
            r.at(
                &sdm.key("granule_cells"),
                "no granule cells",
                "give granule_cells ≥ 1",
            );
        }
        if c.sdm.radius > c.sdm.n {
            r.at(
                &sdm.key("radius"),
                format!("radius {} exceeds n = {}", c.sdm.radius, c.sdm.n),
                "give 0 ≤ radius ≤ n",
            );
        }
        for (key, k) in [("claws", c.sdm.claws), ("compare_claws", c.sdm.compare_claws)] {
            if k > c.sdm.n || (key == "claws" && c.sdm.design == Design::Claws && k == 0) {
                r.at(
                    &sdm.key(key),
                    format!("{k} claws for n = {} dimensions", c.sdm.n),
                    "give 1 ≤ claws ≤ n",
                );
            }
        }
        if c.sdm.claw_radius >= c.sdm.claws.max(1) {
            r.at(
                &sdm.key("claw_radius"),
                "claw_radius must be below claws",
                "0 means every claw must match",
            );
        }
        if c.protocol.patterns == 0 {
            r.at(
                &protocol.key("patterns"),
                "no patterns to store",
                "give patterns ≥ 1",
            );
        }
        for (i, x) in c.protocol.query_noise.iter().enumerate() {
            if !(0.0..=1.0).contains(x) {
                r.at(
                    &protocol.key("query_noise").index(i),
                    format!("noise {x} is outside [0, 1]"),
                    "fractions of flipped bits",
                );
            }
        }
        if c.protocol.query_noise.is_empty() || c.protocol.queries_per_level == 0 {
            r.at(
                &protocol.key("query_noise"),
                "no queries",
                "give query_noise levels and queries_per_level ≥ 1",
            );
        }
        let p = &c.plasticity;
        if !(p.ltp > 0.0 && p.ltp.is_finite()) {
            r.at(
                &root.key("plasticity").key("ltp"),
                "ltp must be positive",
                "e.g. ltp = 1.0",
            );
        }
        if !(p.exponent >= 1 && p.peak_ms > 0.0 && p.peak_ms.is_finite()) {
            r.at(
                &root.key("plasticity"),
                "the kernel needs exponent ≥ 1 and peak_ms > 0",
                "",
            );
        }
        // A write's LTD window (PF arrival + πτ) must close before the next write's PF spikes.
        let tau = p.peak_ms / (p.exponent.max(1) as f64).atan();
        let window = std::f64::consts::PI * tau;
        if c.protocol.write_interval_ms.is_nan() || c.protocol.write_interval_ms <= window + 5.0 {
            r.at(
                &protocol.key("write_interval_ms"),
                format!(
                    "writes {} ms apart overlap the plasticity window ({window:.1} ms)",
                    c.protocol.write_interval_ms
                ),
                format!("give write_interval_ms > {:.0}", window + 5.0),
            );
        }
        if !(c.protocol.read_interval_ms >= 30.0 && c.protocol.read_interval_ms.is_finite()) {
            r.at(
                &protocol.key("read_interval_ms"),
                "reads must be at least 30 ms apart",
                "the membranes (τ = 1 ms) need to relax to e^-30 of a presentation",
            );
        }
        let n_out = c.sdm.n;
        let bytes = c.sdm.granule_cells as f64
            * (n_out as f64 * 8.0 + (2 * c.sdm.n).div_ceil(64) as f64 * 8.0 + 64.0);
        let have = crate::config::validate::machine_memory_bytes();
        if bytes > 0.8 * have {
            r.at(
                &sdm.key("granule_cells"),
                format!(
                    "about {:.1} GiB needed, {:.1} GiB available",
                    bytes / 1073741824.0,
                    have / 1073741824.0
                ),
                "fewer granule cells or dimensions",
            );
        }
    })
}
