//! `model = "sdm"`: a circuit's spikes against Kanerva's Sparse Distributed Memory on the same
//! hard locations and patterns (SCIENCE.md §1–2). The hard-location addresses are read from
//! the built network (the projection named by `addresses`, from a dual-rail population), so the
//! algorithm runs on exactly the wiring the circuit has. Measured: which locations fire vs
//! `H ≤ d`, input sums vs counter sums, output bits, overlap counts vs their binomial law,
//! β, the softmax weights, and recall vs query noise for the circuit, the algorithm and
//! softmax attention.

mod figures;

use serde_json::{Value, json};

use super::{Comparison, Curve, Key, KeyKind, Keys, Outcome, Spec};
use crate::config::protocol::ReadoutKind;
use crate::engine::synapse::Connectivity;
use crate::experiment::simulate::RunResult;
use crate::math::attention;
use crate::math::binomial::{LnFactorial, binomial_tail_z};
use crate::math::sdm::{HammingSpace, cosine_of_distance, fit_beta};
use crate::math::sdm_memory::{Bits, Marked, SdmMemory, common};
use crate::math::sdm_sparse;

pub static COMPARISON: Comparison = Comparison {
    name: "sdm",
    summary: "spikes vs Kanerva's SDM on the circuit's own hard locations: activations, input sums, output bits, overlaps, β, softmax weights, recall",
    keys: &[
        Key::new(
            "addresses",
            KeyKind::Projection,
            true,
            "the projection from the dual-rail input to the hard locations",
        ),
        Key::new(
            "radius",
            KeyKind::Number,
            true,
            "activation radius d (mismatches a location tolerates)",
        ),
        Key::new(
            "writes",
            KeyKind::Phase,
            true,
            "the phase that writes one pattern per trial",
        ),
        Key::new(
            "reads",
            KeyKind::Phase,
            true,
            "the phase that reads; its set is the written keys or noisy copies of them",
        ),
        Key::new(
            "values",
            KeyKind::Pattern,
            false,
            "values written with the keys (default: the keys, autoassociative)",
        ),
        Key::new(
            "scale",
            KeyKind::Number,
            false,
            "input per unit of counter (the LTP step; default 1)",
        ),
        Key::new(
            "beta",
            KeyKind::Number,
            false,
            "β of the attention comparison (default: fitted)",
        ),
        Key::new(
            "fit_below",
            KeyKind::Number,
            false,
            "β is fitted over distances d_v below this (default: the radius, at least 2)",
        ),
        Key::new(
            "active",
            KeyKind::Readout(ReadoutKind::Fired),
            true,
            "which hard locations fired, in the write and read phases",
        ),
        Key::new(
            "sums",
            KeyKind::Readout(ReadoutKind::InputSum),
            false,
            "summed input of the output cells in the read phase",
        ),
        Key::new(
            "bits",
            KeyKind::Readout(ReadoutKind::Fired),
            false,
            "which output cells fired in the read phase",
        ),
    ],
    check,
};

struct SdmSpec {
    addresses: usize,
    radius: usize,
    writes: usize,
    reads: usize,
    values: usize,
    scale: f64,
    beta: Option<f64>,
    fit_below: Option<usize>,
    active: usize,
    sums: Option<usize>,
    bits: Option<usize>,
}

fn check(k: &mut Keys) -> Option<Box<dyn Spec>> {
    let addresses = k.projection("addresses");
    let radius = k.number("radius");
    let writes = k.phase("writes");
    let reads = k.phase("reads");
    let values = if k.table.contains_key("values") {
        k.pattern("values")
    } else {
        writes.map(|w| k.circuit.protocol.phases[w].set)
    };
    let scale = if k.table.contains_key("scale") {
        k.number("scale")
    } else {
        Some(1.0)
    };
    let beta = if k.table.contains_key("beta") {
        k.number("beta").map(Some)
    } else {
        Some(None)
    };
    let fit_below = if k.table.contains_key("fit_below") {
        k.number("fit_below").map(Some)
    } else {
        Some(None)
    };
    let (addresses, radius, writes, reads, values, scale, beta, fit_below) = (
        addresses?, radius?, writes?, reads?, values?, scale?, beta?, fit_below?,
    );
    let c = k.circuit;
    let proj = &c.network.projections[addresses];
    let n2 = c.network.populations[proj.pre].size;
    if !n2.is_multiple_of(2) {
        k.error(
            "addresses",
            format!(
                "projection `{}` comes from {n2} neurons; a dual-rail input has 2 per dimension",
                proj.name
            ),
            "use the projection from the dual-rail (mossy-fibre) input",
        );
        return None;
    }
    let n = n2 / 2;
    let protocol = &c.protocol;
    let keys = &protocol.patterns[protocol.phases[writes].set];
    let queries = &protocol.patterns[protocol.phases[reads].set];
    if keys.dim != n || keys.signs {
        k.error(
            "writes",
            format!(
                "the written set `{}` must hold 0/1 vectors of n = {n} bits (it has {} components)",
                keys.name, keys.dim
            ),
            "write random_bits of dim n",
        );
        return None;
    }
    let keys_index = protocol.phases[writes].set;
    if !(protocol.phases[reads].set == keys_index || queries.base == Some(keys_index)) {
        k.error(
            "reads",
            format!(
                "the read set `{}` is neither the written keys nor noisy copies of them",
                queries.name
            ),
            "read `kind = \"noisy\"` copies with `of` the written set",
        );
        return None;
    }
    if protocol.patterns[values].len() != keys.len() {
        k.error(
            "values",
            format!(
                "{} values for {} keys",
                protocol.patterns[values].len(),
                keys.len()
            ),
            "one value per key",
        );
        return None;
    }
    if !(radius >= 0.0 && radius.fract() == 0.0 && radius <= n as f64) {
        k.error(
            "radius",
            format!("radius {radius} is not a whole number in [0, {n}]"),
            "",
        );
        return None;
    }
    if fit_below.is_some_and(|f| !(f >= 2.0 && f <= n as f64 + 1.0)) {
        k.error(
            "fit_below",
            format!("fit_below must be in [2, n + 1 = {}]", n + 1),
            "",
        );
        return None;
    }
    if scale.is_nan() || scale <= 0.0 {
        k.error(
            "scale",
            "scale must be positive",
            "the input one counter unit gives (the LTP step)",
        );
        return None;
    }
    let active = k.readout("active", &[writes, reads])?;
    if protocol.readouts[active].population != proj.post {
        k.error(
            "readouts",
            "`active` must read the population the addresses project to",
            "",
        );
        return None;
    }
    let n_out = protocol.patterns[values].dim;
    let sums = if k.table.get("readouts").and_then(|t| t.get("sums")).is_some() {
        Some(k.readout("sums", &[reads])?)
    } else {
        None
    };
    let bits = if k.table.get("readouts").and_then(|t| t.get("bits")).is_some() {
        Some(k.readout("bits", &[reads])?)
    } else {
        None
    };
    for (role, ro) in [("sums", sums), ("bits", bits)] {
        if let Some(ro) = ro {
            let size = c.network.populations[protocol.readouts[ro].population].size;
            if size != n_out {
                k.error(
                    "readouts",
                    format!("`{role}` reads {size} cells; the values have {n_out} bits"),
                    "one output cell per value bit",
                );
                return None;
            }
        }
    }
    Some(Box::new(SdmSpec {
        addresses,
        radius: radius as usize,
        writes,
        reads,
        values,
        scale,
        beta,
        fit_below: fit_below.map(|f| f as usize),
        active,
        sums,
        bits,
    }))
}

/// Recall at one query-noise level.
#[derive(Clone, Debug)]
pub struct RecallRow {
    pub noise: f64,
    pub queries: usize,
    /// Fraction of queries read back exactly (every bit equal to the stored value).
    pub circuit: Option<f64>,
    pub sdm: f64,
    pub attention: f64,
    /// Mean fraction of correct bits.
    pub circuit_bits: Option<f64>,
    pub sdm_bits: f64,
    pub attention_bits: f64,
}

/// Mean overlap at one distance, observed and expected.
#[derive(Clone, Debug)]
pub struct OverlapPoint {
    pub d_v: usize,
    pub pairs: usize,
    pub observed_mean: f64,
    pub expected: f64,
}

pub struct SdmOutcome {
    pub n: usize,
    pub n_out: usize,
    pub locations: usize,
    /// Coordinates each location looks at (n: Kanerva's design).
    pub dims: usize,
    pub radius: usize,
    pub writes: usize,
    pub reads: usize,
    pub pc_input_max_abs_error: Option<f64>,
    pub output_bit_mismatches: Option<usize>,
    pub granule_activation_mismatches: usize,
    pub overlap_max_abs_z: f64,
    pub overlap_pairs: usize,
    /// |z| that the maximum of that many pairs exceeds with probability 0.01 (Bonferroni).
    pub overlap_z_bound: f64,
    pub overlaps: Vec<OverlapPoint>,
    /// Kanerva's design only: the least-squares fit of ln I and the published convention.
    pub beta_fitted: Option<f64>,
    pub beta_published: Option<f64>,
    pub beta_used: f64,
    /// β fits use d_v below this.
    pub fit_below: usize,
    /// β of the theory curve for this design (the least-squares slope over d_v < d).
    pub beta_theory: Option<f64>,
    pub beta_circuit: Option<f64>,
    pub softmax_weight_max_abs_error: f64,
    /// (softmax weight, normalised overlap) for every query–pattern pair.
    pub weight_pairs: Vec<(f64, f64)>,
    pub recall: Vec<RecallRow>,
    /// Final weights of the plastic projection onto the output cells (÷ scale), a sample.
    pub weights: Vec<f64>,
    pub weights_projection: Option<String>,
    /// Times of the first write and read (for the rasters).
    pub first_write: Option<f64>,
    pub first_read: Option<f64>,
}

fn hamming(a: &[bool], b: &[bool]) -> usize {
    a.iter().zip(b).filter(|(x, y)| x != y).count()
}

/// Least-squares slope of `ln(y)` on `cos` over the points with `d_v < limit`.
fn slope(n: usize, points: &[(usize, f64)], limit: usize) -> Option<f64> {
    let pts: Vec<(f64, f64)> = points
        .iter()
        .filter(|p| p.0 < limit && p.1 > 0.0)
        .map(|p| (cosine_of_distance(n, p.0), p.1.ln()))
        .collect();
    if pts.len() < 2 {
        return None;
    }
    let k = pts.len() as f64;
    let (mx, my) = (
        pts.iter().map(|p| p.0).sum::<f64>() / k,
        pts.iter().map(|p| p.1).sum::<f64>() / k,
    );
    let sxx: f64 = pts.iter().map(|p| (p.0 - mx).powi(2)).sum();
    (sxx > 0.0).then(|| pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum::<f64>() / sxx)
}

/// The hard locations' addresses as the network wires them: for each location, the address
/// bits and the mask of coordinates it looks at (n-bit words), and the number of coordinates
/// every location looks at.
fn addresses_of(conn: &Connectivity, n: usize, cells: usize) -> Result<(Vec<u64>, Vec<u64>, usize), String> {
    match conn {
        // Bit rows a word at a time (the usual case).
        Connectivity::Bits(b) if b.n_pre == 2 * n => {
            each_location(n, cells, |t, a, m| read_bit_row(&b.row(t), t, a, m))
        }
        Connectivity::Bits(b) => {
            each_location(n, cells, |t, a, m| read_rails(n, t, |pre| b.has(pre, t), a, m))
        }
        Connectivity::Sparse(_) | Connectivity::Dense(_) => {
            // Rare (addresses are usually bits): collect the pairs once.
            let rw = (2 * n).div_ceil(64);
            let mut rows = vec![0u64; cells * rw];
            conn.for_each(|pre, post, _, _| rows[post as usize * rw + pre as usize / 64] |= 1 << (pre % 64));
            each_location(n, cells, |t, a, m| {
                read_rails(n, t, |pre| rows[t * rw + pre / 64] >> (pre % 64) & 1 == 1, a, m)
            })
        }
    }
}

/// Fills every location's address and mask with `read(location, address, mask)` (in parallel)
/// and checks that all look at the same number of coordinates.
fn each_location(
    n: usize,
    cells: usize,
    read: impl Fn(usize, &mut [u64], &mut [u64]) -> Result<(), String> + Sync,
) -> Result<(Vec<u64>, Vec<u64>, usize), String> {
    use rayon::prelude::*;
    let words = n.div_ceil(64);
    let mut addresses = vec![0u64; cells * words];
    let mut masks = vec![0u64; cells * words];
    let dims: Vec<Result<usize, String>> = addresses
        .par_chunks_mut(words)
        .zip(masks.par_chunks_mut(words))
        .enumerate()
        .map(|(t, (a, m))| {
            read(t, a, m)?;
            Ok(m.iter().map(|x| x.count_ones() as usize).sum())
        })
        .collect();
    let dims: Vec<usize> = dims.into_iter().collect::<Result<_, _>>()?;
    let k = dims.first().copied().unwrap_or(0);
    if dims.iter().any(|&d| d != k) {
        return Err(
            "the hard locations look at different numbers of dimensions; the overlap law needs one".into(),
        );
    }
    Ok((addresses, masks, k))
}

fn both_rails(t: usize, i: usize) -> String {
    format!("location {t} receives both rails of dimension {i}: not an SDM address")
}

/// Location `t`'s address from `has(pre)` (does dual-rail neuron `pre` reach it?), one rail at
/// a time.
fn read_rails(
    n: usize,
    t: usize,
    has: impl Fn(usize) -> bool,
    a: &mut [u64],
    m: &mut [u64],
) -> Result<(), String> {
    for i in 0..n {
        match (has(2 * i), has(2 * i + 1)) {
            (true, true) => return Err(both_rails(t, i)),
            (false, true) => {
                a[i / 64] |= 1 << (i % 64);
                m[i / 64] |= 1 << (i % 64);
            }
            (true, false) => m[i / 64] |= 1 << (i % 64),
            (false, false) => {}
        }
    }
    Ok(())
}

/// Location `t`'s address from its bit row, a word at a time: row word w holds the rails of
/// dimensions 32w .. 32w + 31 (bit 2j: rail 0 of dimension 32w + j; bit 2j + 1: rail 1).
fn read_bit_row(row: &[u64], t: usize, a: &mut [u64], m: &mut [u64]) -> Result<(), String> {
    use crate::engine::synapse::bit_matrix::gather_even as compact;
    const EVEN: u64 = 0x5555_5555_5555_5555;
    for (w, &x) in row.iter().enumerate() {
        let (zero, one) = (x & EVEN, (x >> 1) & EVEN);
        if zero & one != 0 {
            return Err(both_rails(t, 32 * w + (zero & one).trailing_zeros() as usize / 2));
        }
        let shift = 32 * (w % 2);
        a[w / 2] |= compact(one) << shift;
        m[w / 2] |= compact(zero | one) << shift;
    }
    Ok(())
}

impl Spec for SdmSpec {
    fn compare(&self, run: &RunResult) -> Result<Box<dyn Outcome>, String> {
        let c = &run.circuit;
        let protocol = &c.protocol;
        let net = run.net();
        let proj = &net.projections[self.addresses];
        let n = net.populations[proj.pre].size / 2;
        let cells = net.populations[proj.post].size;
        let (addresses, masks, dims) = addresses_of(&proj.conn, n, cells)?;
        let values = &protocol.patterns[self.values];
        let n_out = values.dim;
        let mut mem = if dims == n {
            SdmMemory::new(n, n_out, self.radius, addresses)
        } else {
            SdmMemory::with_masks(n, n_out, self.radius, addresses, masks)
        };
        let wp = &protocol.phases[self.writes];
        let rp = &protocol.phases[self.reads];
        let keys = &protocol.patterns[wp.set];
        let queries = &protocol.patterns[rp.set];
        let target = |q: usize| if rp.set == wp.set { q } else { queries.target(q) };
        let active = run
            .readout(&protocol.readouts[self.active].name)
            .ok_or("missing readout")?;
        let written = active
            .in_phase(self.writes)
            .ok_or("readout not taken in the write phase")?;
        let read = active
            .in_phase(self.reads)
            .ok_or("readout not taken in the read phase")?;

        // A(x) by the algorithm for every key and query (one pass over the locations), checked
        // against the cells that fired.
        let xs: Vec<Bits> = (0..written.len())
            .map(|k| Bits::from_bools(&keys.bits(k)))
            .chain((0..read.len()).map(|q| Bits::from_bools(&queries.bits(q))))
            .collect();
        let mut acts = mem.activated_many(&xs).into_iter();
        let mut granule_activation_mismatches = 0;
        let mut check = |math: Vec<u32>, fired: &[u32]| -> Vec<u32> {
            granule_activation_mismatches += math.len() + fired.len() - 2 * common(&math, fired);
            math
        };
        for (k, trial) in written.iter().enumerate() {
            let act = check(acts.next().unwrap_or_default(), &trial[0].set);
            mem.write_active(&act, &Bits::from_bools(&values.bits(k)));
        }
        let sums = self
            .sums
            .and_then(|s| run.readout(&protocol.readouts[s].name))
            .and_then(|r| r.in_phase(self.reads));
        let bits = self
            .bits
            .and_then(|s| run.readout(&protocol.readouts[s].name))
            .and_then(|r| r.in_phase(self.reads));
        let mut pc_err: f64 = 0.0;
        let mut bit_mismatches = 0;
        let mut readouts = Vec::new();
        let mut circuit_bits = Vec::new();
        for (q, trial) in read.iter().enumerate() {
            let act = check(acts.next().unwrap_or_default(), &trial[0].set);
            let out = mem.read_active(&act);
            if let Some(s) = sums {
                for (sum, expected) in s[q][0].vector.iter().zip(&out.sums) {
                    pc_err = pc_err.max((sum / self.scale - *expected as f64).abs());
                }
            }
            if let Some(b) = bits {
                let mut fired = vec![false; n_out];
                for &j in &b[q][0].set {
                    fired[j as usize] = true;
                }
                bit_mismatches += hamming(&fired, &out.bits);
                circuit_bits.push(fired);
            }
            readouts.push(out);
        }

        // Overlaps of the read sets with the write sets, against Binomial(r, P(d_v)).
        let lf = LnFactorial::new(n);
        let p_table: Vec<f64> = (0..=n)
            .map(|dv| sdm_sparse::overlap_probability(&lf, n, dims, self.radius, dv))
            .collect();
        let r = cells as f64;
        let mut pairs: Vec<(usize, usize, usize, usize)> = Vec::new();
        let key_bits: Vec<Vec<bool>> = (0..written.len()).map(|mu| keys.bits(mu)).collect();
        for (q, trial) in read.iter().enumerate() {
            let qb = queries.bits(q);
            let marked = Marked::new(&trial[0].set, cells);
            for (mu, w) in written.iter().enumerate() {
                pairs.push((q, mu, hamming(&qb, &key_bits[mu]), marked.common(&w[0].set)));
            }
        }
        let mut overlap_max_abs_z: f64 = 0.0;
        for &(_, _, dv, cnt) in &pairs {
            overlap_max_abs_z = overlap_max_abs_z.max(binomial_tail_z(r, p_table[dv], cnt as f64).abs());
        }
        let overlap_z_bound = crate::math::normal::quantile(1.0 - 0.01 / (2.0 * pairs.len().max(1) as f64));
        let mut by: std::collections::BTreeMap<usize, (usize, f64)> = Default::default();
        for &(_, _, dv, cnt) in &pairs {
            let e = by.entry(dv).or_default();
            e.0 += 1;
            e.1 += cnt as f64;
        }
        let overlaps: Vec<OverlapPoint> = by
            .into_iter()
            .map(|(d_v, (k, s))| OverlapPoint {
                d_v,
                pairs: k,
                observed_mean: s / k as f64,
                expected: r * p_table[d_v],
            })
            .collect();

        // β: the published fit of Kanerva's design, the theory curve of this design, and the
        // circuit's observed overlaps, all by least squares of ln overlap on cos over d_v < d.
        let limit = self.fit_below.unwrap_or(self.radius.max(2));
        let space = HammingSpace::new(n);
        let fit = (dims == n).then(|| fit_beta(&space, self.radius.max(2)));
        let theory: Vec<(usize, f64)> = (0..limit).map(|dv| (dv, p_table[dv])).collect();
        let beta_theory = slope(n, &theory, limit);
        let observed: Vec<(usize, f64)> = overlaps.iter().map(|p| (p.d_v, p.observed_mean)).collect();
        let beta_circuit = slope(n, &observed, limit);
        let beta_used = self
            .beta
            .or(fit.as_ref().map(|f| f.beta_ols))
            .or(beta_theory)
            .unwrap_or(1.0);

        let mut weight_pairs = Vec::new();
        let mut softmax_err: f64 = 0.0;
        for q in 0..read.len() {
            let row: Vec<&(usize, usize, usize, usize)> = pairs.iter().filter(|p| p.0 == q).collect();
            let total: usize = row.iter().map(|p| p.3).sum();
            if total == 0 {
                continue;
            }
            let cos: Vec<f64> = row.iter().map(|p| cosine_of_distance(n, p.2)).collect();
            let soft = attention::softmax(&cos, beta_used);
            for (p, s) in row.iter().zip(soft) {
                let w = p.3 as f64 / total as f64;
                softmax_err = softmax_err.max((w - s).abs());
                weight_pairs.push((s, w));
            }
        }

        // Recall per noise level: circuit, SDM, attention.
        let all_values: Vec<Vec<bool>> = (0..values.len()).map(|k| values.bits(k)).collect();
        let levels = if queries.flips.is_empty() {
            vec![0.0]
        } else {
            queries.flips.clone()
        };
        let mut recall = Vec::new();
        for (level, &noise) in levels.iter().enumerate() {
            let idx: Vec<usize> = (0..read.len())
                .filter(|&q| queries.levels.get(q).copied().unwrap_or(0) == level)
                .collect();
            let k = idx.len().max(1) as f64;
            let (mut c_ok, mut s_ok, mut a_ok, mut c_b, mut s_b, mut a_b) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
            for &q in &idx {
                let want = &all_values[target(q)];
                let qb = queries.bits(q);
                let distances: Vec<usize> = (0..keys.len()).map(|mu| hamming(&qb, &keys.bits(mu))).collect();
                let w = attention::binary_attention_weights(n, &distances, beta_used);
                let att = attention::read_bits(&w, &all_values);
                let score = |out: &[bool], ok: &mut f64, b: &mut f64| {
                    let wrong = hamming(out, want);
                    *ok += f64::from(u8::from(wrong == 0));
                    *b += 1.0 - wrong as f64 / n_out as f64;
                };
                if let Some(cb) = circuit_bits.get(q) {
                    score(cb, &mut c_ok, &mut c_b);
                }
                score(&readouts[q].bits, &mut s_ok, &mut s_b);
                score(&att, &mut a_ok, &mut a_b);
            }
            let has_circuit = !circuit_bits.is_empty();
            recall.push(RecallRow {
                noise,
                queries: idx.len(),
                circuit: has_circuit.then_some(c_ok / k),
                sdm: s_ok / k,
                attention: a_ok / k,
                circuit_bits: has_circuit.then_some(c_b / k),
                sdm_bits: s_b / k,
                attention_bits: a_b / k,
            });
        }

        // The plastic projection onto the output cells (the counters), a sample of it.
        let out_pop = self.sums.or(self.bits).map(|s| protocol.readouts[s].population);
        let mut weights = Vec::new();
        let mut weights_projection = None;
        if let Some(pl) = net
            .projections
            .iter()
            .find(|p| Some(p.post) == out_pop && p.pre == proj.post)
        {
            weights_projection = Some(pl.name.clone());
            if let Connectivity::Dense(w) = &pl.conn {
                let step = (w.len() / 200_000).max(1);
                for pre in (0..w.n_pre).step_by(step) {
                    weights.extend(w.row(pre).iter().map(|x| x / self.scale));
                }
            }
        }

        Ok(Box::new(SdmOutcome {
            n,
            n_out,
            locations: cells,
            dims,
            radius: self.radius,
            writes: written.len(),
            reads: read.len(),
            pc_input_max_abs_error: sums.map(|_| pc_err),
            output_bit_mismatches: bits.map(|_| bit_mismatches),
            granule_activation_mismatches,
            overlap_max_abs_z,
            overlap_pairs: pairs.len(),
            overlap_z_bound,
            overlaps,
            beta_fitted: fit.as_ref().map(|f| f.beta_ols),
            beta_published: fit.as_ref().map(|f| f.beta_published),
            beta_used,
            fit_below: limit,
            beta_theory,
            beta_circuit,
            softmax_weight_max_abs_error: softmax_err,
            weight_pairs,
            recall,
            weights,
            weights_projection,
            first_write: (wp.trials > 0).then(|| wp.time(0, 0)),
            first_read: (rp.trials > 0).then(|| rp.time(0, 0)),
        }))
    }
}

impl Outcome for SdmOutcome {
    fn metrics(&self) -> Value {
        json!({
            "n": self.n, "locations": self.locations, "dims_per_location": self.dims, "radius": self.radius,
            "writes": self.writes, "reads": self.reads,
            "pc_input_max_abs_error": self.pc_input_max_abs_error,
            "output_bit_mismatches": self.output_bit_mismatches,
            "granule_activation_mismatches": self.granule_activation_mismatches,
            "overlap_max_abs_z": self.overlap_max_abs_z,
            "overlap_pairs": self.overlap_pairs,
            "overlap_z_bound_p01": self.overlap_z_bound,
            "beta_fitted": self.beta_fitted,
            "beta_published_convention": self.beta_published,
            "beta_theory": self.beta_theory,
            "beta_circuit": self.beta_circuit,
            "beta_attention": self.beta_used,
            "softmax_weight_max_abs_error": self.softmax_weight_max_abs_error,
            "recall": self.recall.iter().map(|r| json!({
                "noise": r.noise, "queries": r.queries,
                "circuit": r.circuit, "sdm": r.sdm, "attention": r.attention,
                "circuit_bits": r.circuit_bits, "sdm_bits": r.sdm_bits, "attention_bits": r.attention_bits,
            })).collect::<Vec<_>>(),
            "overlaps": self.overlaps.iter().map(|p| json!({
                "d_v": p.d_v, "pairs": p.pairs, "observed_mean": p.observed_mean, "expected": p.expected,
            })).collect::<Vec<_>>(),
        })
    }

    fn scalars(&self) -> Vec<(String, f64)> {
        let mut out = vec![
            (
                "granule_activation_mismatches".to_string(),
                self.granule_activation_mismatches as f64,
            ),
            ("overlap_max_abs_z".into(), self.overlap_max_abs_z),
            ("overlap_z_bound_p01".into(), self.overlap_z_bound),
            ("beta_fitted".into(), self.beta_fitted.unwrap_or(f64::NAN)),
            ("beta_theory".into(), self.beta_theory.unwrap_or(f64::NAN)),
            ("beta_circuit".into(), self.beta_circuit.unwrap_or(f64::NAN)),
            (
                "softmax_weight_max_abs_error".into(),
                self.softmax_weight_max_abs_error,
            ),
        ];
        if let Some(e) = self.pc_input_max_abs_error {
            out.push(("pc_input_max_abs_error".into(), e));
        }
        if let Some(m) = self.output_bit_mismatches {
            out.push(("output_bit_mismatches".into(), m as f64));
        }
        for r in &self.recall {
            if let Some(c) = r.circuit {
                out.push((format!("recall_circuit_at_{}", r.noise), c));
            }
            out.push((format!("recall_sdm_at_{}", r.noise), r.sdm));
        }
        out
    }

    fn headline(&self) -> String {
        format!(
            "vs SDM: PC input max abs error {}, output bit mismatches {}, granule mismatches {}, overlap max |z| {:.2} (1% bound {:.2}), beta circuit {} / theory {}",
            self.pc_input_max_abs_error
                .map_or("n/a".into(), |e| e.to_string()),
            self.output_bit_mismatches.map_or("n/a".into(), |e| e.to_string()),
            self.granule_activation_mismatches,
            self.overlap_max_abs_z,
            self.overlap_z_bound,
            self.beta_circuit.map_or("n/a".into(), |b| format!("{b:.3}")),
            self.beta_theory.map_or("n/a".into(), |b| format!("{b:.3}")),
        )
    }

    fn report(&self) -> String {
        figures::report(self)
    }

    fn figures(&self, dir: &std::path::Path, run: &RunResult) -> Result<(), String> {
        figures::files(self, run, dir)
    }

    fn curves(&self) -> Vec<Curve> {
        let p0 = self
            .overlaps
            .iter()
            .find(|p| p.d_v == 0)
            .map_or(1.0, |p| p.expected.max(1e-300));
        vec![Curve {
            id: "sdm_overlaps",
            title: "Mean overlap of read and write sets vs distance (÷ expected at d_v = 0)".into(),
            x_label: "d_v (Hamming distance)".into(),
            y_label: "mean overlap / E[overlap at 0]".into(),
            log_y: true,
            points: self
                .overlaps
                .iter()
                .map(|p| (p.d_v as f64, p.observed_mean / p0))
                .collect(),
        }]
    }
}

#[cfg(test)]
mod address_tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    #[test]
    fn bit_rows_read_a_word_at_a_time_give_the_addresses_read_rail_by_rail() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        for n in [1usize, 31, 32, 33, 100, 1000] {
            let rw = (2 * n).div_ceil(64);
            for t in 0..20 {
                // Each dimension: no rail, rail 0 or rail 1; sometimes both (not an address).
                let mut row = vec![0u64; rw];
                let both = t == 7;
                for i in 0..n {
                    let choice = rng.random_range(0..3u8);
                    for (rail, on) in [
                        (0, choice == 1 || (both && i == n / 2)),
                        (1, choice == 2 || (both && i == n / 2)),
                    ] {
                        if on {
                            let pre = 2 * i + rail;
                            row[pre / 64] |= 1 << (pre % 64);
                        }
                    }
                }
                let words = n.div_ceil(64);
                let (mut a1, mut m1) = (vec![0u64; words], vec![0u64; words]);
                let (mut a2, mut m2) = (vec![0u64; words], vec![0u64; words]);
                let r1 = read_bit_row(&row, t, &mut a1, &mut m1);
                let r2 = read_rails(n, t, |pre| row[pre / 64] >> (pre % 64) & 1 == 1, &mut a2, &mut m2);
                assert_eq!(r1, r2, "n = {n}");
                assert_eq!(r1.is_err(), both);
                if !both {
                    assert_eq!((a1, m1), (a2, m2), "n = {n}");
                }
            }
        }
    }
}
