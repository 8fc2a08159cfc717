//! Where the cerebellar circuit's spikes meet the SDM math: the same hard locations and
//! patterns run through Kanerva's algorithm, the circle-intersection statistics, softmax
//! attention, and the claw design's effective β.

use serde_json::{Value, json};

use crate::circuits::cerebellum::granule::GranuleLayer;
use crate::circuits::cerebellum::protocol::{self, Protocol};
use crate::circuits::cerebellum::{self as cb, Cerebellum};
use crate::circuits::generic::RunResult;
use crate::math::attention;
use crate::math::binomial::{LnFactorial, binomial_tail_z};
use crate::math::sdm::{HammingSpace, cosine_of_distance, fit_beta};
use crate::math::sdm_memory::{Bits, SdmMemory};

/// Recall at one query-noise level.
#[derive(Clone, Debug)]
pub struct RecallRow {
    pub noise: f64,
    pub queries: usize,
    /// Fraction of queries read back exactly (every bit equal to the stored value).
    pub circuit: f64,
    pub sdm: f64,
    pub attention: f64,
    /// Mean fraction of correct bits.
    pub circuit_bits: f64,
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

pub struct Comparison {
    pub pc_input_max_abs_error: f64,
    pub output_bit_mismatches: usize,
    pub granule_activation_mismatches: usize,
    pub overlap_max_abs_z: f64,
    pub overlap_pairs: usize,
    /// |z| that the maximum of that many pairs exceeds with probability 0.01 (Bonferroni).
    pub overlap_z_bound: f64,
    pub overlaps: Vec<OverlapPoint>,
    pub beta_ols: f64,
    pub beta_published: f64,
    pub beta_circuit: Option<f64>,
    pub softmax_weight_max_abs_error: f64,
    /// (normalised SDM weight, softmax weight) for every query–pattern pair.
    pub weight_pairs: Vec<(f64, f64)>,
    pub recall: Vec<RecallRow>,
    pub claws: Option<ClawComparison>,
    /// Final parallel-fibre weights (÷ ltp), a histogram's worth.
    pub pf_weights: Vec<f32>,
}

pub struct ClawComparison {
    pub claws: usize,
    pub beta_theory: f64,
    pub beta_measured: Option<f64>,
    pub overlaps: Vec<OverlapPoint>,
}

/// Granule cells (local indices) that fired at exactly `t`.
fn active_at(run: &RunResult, pop: usize, t: f64) -> Vec<u32> {
    let net = run.net();
    let info = &net.populations[pop];
    let lo = run.spikes.partition_point(|s| s.time < t);
    run.spikes[lo..]
        .iter()
        .take_while(|s| s.time == t)
        .filter(|s| s.neuron >= info.offset && s.neuron < info.offset + info.size as u32)
        .map(|s| s.neuron - info.offset)
        .collect()
}

fn intersect(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut c) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                c += 1;
                i += 1;
                j += 1;
            }
        }
    }
    c
}

fn hamming(a: &[bool], b: &[bool]) -> usize {
    a.iter().zip(b).filter(|(x, y)| x != y).count()
}

/// Least-squares slope of `ln(mean overlap)` on `cos` over the points with `d_v < limit`.
fn slope(n: usize, points: &[OverlapPoint], limit: usize) -> Option<f64> {
    let pts: Vec<(f64, f64)> = points
        .iter()
        .filter(|p| p.d_v < limit && p.observed_mean > 0.0)
        .map(|p| (cosine_of_distance(n, p.d_v), p.observed_mean.ln()))
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

/// Per query–pattern pair: (distance, overlap) for a granule population.
fn overlap_pairs(run: &RunResult, pop: usize, proto: &Protocol) -> Vec<(usize, usize, usize, usize)> {
    let delay = protocol::MF_TO_GRANULE_MS;
    let written: Vec<Vec<u32>> = proto
        .write_times
        .iter()
        .map(|&t| active_at(run, pop, t + delay))
        .collect();
    let mut out = Vec::new();
    for (q, read) in proto.reads.iter().enumerate() {
        let a = active_at(run, pop, read.time + delay);
        for (mu, key) in proto.keys.iter().enumerate() {
            out.push((q, mu, hamming(&read.query, key), intersect(&a, &written[mu])));
        }
    }
    out
}

fn mean_by_distance(
    pairs: &[(usize, usize, usize, usize)],
    expected: impl Fn(usize) -> f64,
) -> Vec<OverlapPoint> {
    let mut by: std::collections::BTreeMap<usize, (usize, f64)> = Default::default();
    for &(_, _, dv, c) in pairs {
        let e = by.entry(dv).or_default();
        e.0 += 1;
        e.1 += c as f64;
    }
    by.into_iter()
        .map(|(d_v, (k, s))| OverlapPoint {
            d_v,
            pairs: k,
            observed_mean: s / k as f64,
            expected: expected(d_v),
        })
        .collect()
}

/// Probability that a claw cell (k dimensions, all must match) fires for both of two inputs
/// `d_v` apart: `C(n − d_v, k)/C(n, k) · 2^−k`.
pub fn claw_overlap_probability(lf: &LnFactorial, n: usize, k: usize, dv: usize) -> f64 {
    (lf.ln_choose(n - dv, k) - lf.ln_choose(n, k) - k as f64 * std::f64::consts::LN_2).exp()
}

fn sdm_memory(layer: &GranuleLayer, n_out: usize) -> SdmMemory {
    if layer.masks.is_empty() {
        SdmMemory::new(layer.n, n_out, layer.radius, layer.addresses.clone())
    } else {
        SdmMemory::with_masks(
            layer.n,
            n_out,
            layer.radius,
            layer.addresses.clone(),
            layer.masks.clone(),
        )
    }
}

pub fn compare(cb: &Cerebellum, run: &RunResult) -> Comparison {
    let proto = &cb.protocol;
    let (n, r) = (cb.spec.sdm.n, cb.layer.cells as f64);
    let ltp = cb.kernel.ltp;
    let read_delay = protocol::read_delay();

    // Kanerva's algorithm on the same hard locations and patterns.
    let mut mem = sdm_memory(&cb.layer, n);
    let mut granule_activation_mismatches = 0;
    // A(x) by the algorithm, checked against the granule cells that fired.
    let mut check_active = |mem: &SdmMemory, x: &[bool], t: f64| -> Vec<u32> {
        let math = mem.activated(&Bits::from_bools(x));
        let spikes = active_at(run, cb::GRANULE, t + protocol::MF_TO_GRANULE_MS);
        granule_activation_mismatches += math.len() + spikes.len() - 2 * intersect(&math, &spikes);
        math
    };
    for (mu, &t) in proto.write_times.iter().enumerate() {
        let active = check_active(&mem, &proto.keys[mu], t);
        mem.write_active(&active, &Bits::from_bools(&proto.values[mu]));
    }

    // Purkinje input sums and output bits at each read.
    let inputs = run
        .inputs
        .iter()
        .find(|(p, _)| *p == cb::PURKINJE)
        .map_or(&[][..], |(_, s)| &s[..]);
    let pk = &run.net().populations[cb::PURKINJE];
    let mut pc_input_max_abs_error: f64 = 0.0;
    let mut output_bit_mismatches = 0;
    let mut circuit_bits_of = Vec::new();
    let mut readouts = Vec::new();
    for read in &proto.reads {
        let active = check_active(&mem, &read.query, read.time);
        let t = read.time + read_delay;
        let out = mem.read_active(&active);
        let mut sums = vec![0.0; n];
        let lo = inputs.partition_point(|s| s.time < t);
        for s in inputs[lo..].iter().take_while(|s| s.time == t) {
            sums[s.neuron as usize] += s.value;
        }
        for (sum, expected) in sums.iter().zip(&out.sums) {
            pc_input_max_abs_error = pc_input_max_abs_error.max((sum / ltp - *expected as f64).abs());
        }
        let mut bits = vec![false; n];
        let lo = run.spikes.partition_point(|s| s.time < t);
        for s in run.spikes[lo..].iter().take_while(|s| s.time == t) {
            if s.neuron >= pk.offset && s.neuron < pk.offset + pk.size as u32 {
                bits[(s.neuron - pk.offset) as usize] = true;
            }
        }
        output_bit_mismatches += hamming(&bits, &out.bits);
        circuit_bits_of.push(bits);
        readouts.push(out);
    }

    // Overlaps against Binomial(r, I/2^n).
    let space = HammingSpace::new(n);
    let d = cb.layer.radius;
    let kanerva = cb.layer.masks.is_empty();
    let lf = LnFactorial::new(n);
    let k_main = cb.layer.inputs_per_cell;
    let p_table: Vec<f64> = (0..=n)
        .map(|dv| {
            if kanerva {
                (space.ln_intersection(d, dv) - n as f64 * std::f64::consts::LN_2).exp()
            } else {
                claw_overlap_probability(&lf, n, k_main, dv)
            }
        })
        .collect();
    let p_of = |dv: usize| p_table[dv];
    let pairs = overlap_pairs(run, cb::GRANULE, proto);
    // |z| with exact binomial tails (expected overlaps far from the query are ≪ 1).
    let mut overlap_max_abs_z: f64 = 0.0;
    for &(_, _, dv, c) in &pairs {
        overlap_max_abs_z = overlap_max_abs_z.max(binomial_tail_z(r, p_of(dv), c as f64).abs());
    }
    let overlap_z_bound = crate::math::normal::quantile(1.0 - 0.01 / (2.0 * pairs.len().max(1) as f64));
    let overlaps = mean_by_distance(&pairs, |dv| r * p_of(dv));

    // β and softmax weights.
    let fit = fit_beta(&space, d.max(2));
    let beta_circuit = slope(n, &overlaps, d.max(2));
    let mut weight_pairs = Vec::new();
    let mut softmax_weight_max_abs_error: f64 = 0.0;
    for q in 0..proto.reads.len() {
        let row: Vec<&(usize, usize, usize, usize)> = pairs.iter().filter(|p| p.0 == q).collect();
        let total: usize = row.iter().map(|p| p.3).sum();
        if total == 0 {
            continue;
        }
        let cos: Vec<f64> = row.iter().map(|p| cosine_of_distance(n, p.2)).collect();
        let soft = attention::softmax(&cos, fit.beta_ols);
        for (p, s) in row.iter().zip(soft) {
            let w = p.3 as f64 / total as f64;
            softmax_weight_max_abs_error = softmax_weight_max_abs_error.max((w - s).abs());
            weight_pairs.push((w, s));
        }
    }

    // Recall per noise level: circuit, SDM, attention.
    let mut recall = Vec::new();
    for (level, &noise) in cb.spec.protocol.query_noise.iter().enumerate() {
        let idx: Vec<usize> = (0..proto.reads.len())
            .filter(|&i| proto.reads[i].level == level)
            .collect();
        let k = idx.len().max(1) as f64;
        let (mut c_ok, mut s_ok, mut a_ok, mut c_b, mut s_b, mut a_b) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        for &i in &idx {
            let read = &proto.reads[i];
            let target = &proto.values[read.target];
            let distances: Vec<usize> = proto.keys.iter().map(|key| hamming(&read.query, key)).collect();
            let w = attention::binary_attention_weights(n, &distances, fit.beta_ols);
            let att = attention::read_bits(&w, &proto.values);
            for (out, ok, bits) in [
                (&circuit_bits_of[i], &mut c_ok, &mut c_b),
                (&readouts[i].bits, &mut s_ok, &mut s_b),
                (&att, &mut a_ok, &mut a_b),
            ] {
                let wrong = hamming(out, target);
                *ok += f64::from(u8::from(wrong == 0));
                *bits += 1.0 - wrong as f64 / n as f64;
            }
        }
        recall.push(RecallRow {
            noise,
            queries: idx.len(),
            circuit: c_ok / k,
            sdm: s_ok / k,
            attention: a_ok / k,
            circuit_bits: c_b / k,
            sdm_bits: s_b / k,
            attention_bits: a_b / k,
        });
    }

    let claws = cb.claws.as_ref().map(|layer| {
        let k = layer.inputs_per_cell;
        let pairs = overlap_pairs(run, cb::GRANULE_CLAWS, proto);
        let overlaps = mean_by_distance(&pairs, |dv| r * claw_overlap_probability(&lf, n, k, dv));
        let theory: Vec<OverlapPoint> = (0..d.max(2))
            .map(|dv| OverlapPoint {
                d_v: dv,
                pairs: 0,
                observed_mean: claw_overlap_probability(&lf, n, k, dv),
                expected: 0.0,
            })
            .collect();
        ClawComparison {
            claws: k,
            beta_theory: slope(n, &theory, d.max(2)).unwrap_or(f64::NAN),
            beta_measured: slope(n, &overlaps, d.max(2)),
            overlaps,
        }
    });

    let mut pf_weights = Vec::new();
    if let crate::engine::synapse::Connectivity::Dense(w) = &run.net().projections[cb::PARALLEL_FIBRES].conn {
        let step = (w.len() / 200_000).max(1);
        for pre in (0..w.n_pre).step_by(step.max(1)) {
            pf_weights.extend(w.row(pre).iter().map(|x| (f64::from(*x) / ltp) as f32));
        }
    }

    Comparison {
        pc_input_max_abs_error,
        output_bit_mismatches,
        granule_activation_mismatches,
        overlap_max_abs_z,
        overlap_pairs: pairs.len(),
        overlap_z_bound,
        overlaps,
        beta_ols: fit.beta_ols,
        beta_published: fit.beta_published,
        beta_circuit,
        softmax_weight_max_abs_error,
        weight_pairs,
        recall,
        claws,
        pf_weights,
    }
}

impl Comparison {
    pub fn to_json(&self) -> Value {
        json!({
            "pc_input_max_abs_error": self.pc_input_max_abs_error,
            "output_bit_mismatches": self.output_bit_mismatches,
            "granule_activation_mismatches": self.granule_activation_mismatches,
            "overlap_max_abs_z": self.overlap_max_abs_z,
            "overlap_pairs": self.overlap_pairs,
            "overlap_z_bound_p01": self.overlap_z_bound,
            "beta_fitted": self.beta_ols,
            "beta_published_convention": self.beta_published,
            "beta_circuit": self.beta_circuit,
            "softmax_weight_max_abs_error": self.softmax_weight_max_abs_error,
            "recall": self.recall.iter().map(|r| json!({
                "noise": r.noise, "queries": r.queries,
                "circuit": r.circuit, "sdm": r.sdm, "attention": r.attention,
                "circuit_bits": r.circuit_bits, "sdm_bits": r.sdm_bits, "attention_bits": r.attention_bits,
            })).collect::<Vec<_>>(),
            "overlaps": self.overlaps.iter().map(|p| json!({
                "d_v": p.d_v, "pairs": p.pairs, "observed_mean": p.observed_mean, "expected": p.expected,
            })).collect::<Vec<_>>(),
            "claws": self.claws.as_ref().map(|c| json!({
                "claws": c.claws,
                "beta_theory": c.beta_theory,
                "beta_measured": c.beta_measured,
            })),
        })
    }
}
