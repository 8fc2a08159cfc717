//! The Hopfield comparisons (SCIENCE.md §3): `modern_hopfield` (the readout against
//! `X softmax(β Xᵀξ)`, retrieval, iterated retrieval, the pool's normalisation) and
//! `classical_hopfield` (retrieval against the classical network of the same patterns).

pub mod classical;
pub mod modern;

use super::Keys;
use crate::config::Circuit;
use crate::config::protocol::PatternSet;

/// Stored patterns and the queries of a read phase, as ±1 vectors.
pub struct Queries {
    pub patterns: Vec<Vec<f64>>,
    pub xi: Vec<Vec<f64>>,
    pub target: Vec<usize>,
    pub level: Vec<usize>,
    /// Flipped fraction per level (one level, 0, when the queries are the patterns).
    pub flips: Vec<f64>,
}

impl Queries {
    pub fn new(c: &Circuit, patterns: usize, reads: usize) -> Queries {
        let protocol = &c.protocol;
        let stored: &PatternSet = &protocol.patterns[patterns];
        let qset = &protocol.patterns[protocol.phases[reads].set];
        let same = protocol.phases[reads].set == patterns;
        Queries {
            patterns: (0..stored.len()).map(|k| stored.signs_of(k)).collect(),
            xi: (0..qset.len()).map(|k| qset.signs_of(k)).collect(),
            target: (0..qset.len())
                .map(|k| if same { k } else { qset.target(k) })
                .collect(),
            level: (0..qset.len())
                .map(|k| qset.levels.get(k).copied().unwrap_or(0))
                .collect(),
            flips: if qset.flips.is_empty() {
                vec![0.0]
            } else {
                qset.flips.clone()
            },
        }
    }

    /// `Xᵀξ`.
    pub fn overlaps(&self, xi: &[f64]) -> Vec<f64> {
        self.patterns
            .iter()
            .map(|x| x.iter().zip(xi).map(|(a, b)| a * b).sum())
            .collect()
    }

    /// `X p`.
    pub fn mix(&self, p: &[f64]) -> Vec<f64> {
        let dim = self.patterns.first().map_or(0, Vec::len);
        (0..dim)
            .map(|j| self.patterns.iter().zip(p).map(|(x, w)| x[j] * w).sum())
            .collect()
    }
}

/// Checks that the read phase's set is the stored patterns or noisy copies of them, with the
/// same dimension; reports at `reads`.
pub fn check_queries(k: &mut Keys, patterns: usize, reads: usize) -> bool {
    let protocol = &k.circuit.protocol;
    let qset = protocol.phases[reads].set;
    let q = &protocol.patterns[qset];
    if !(qset == patterns || q.base == Some(patterns)) {
        let (qn, pn) = (q.name.clone(), protocol.patterns[patterns].name.clone());
        k.error(
            "reads",
            format!("the read phase presents `{qn}`, which is neither `{pn}` nor noisy copies of it"),
            "read a `kind = \"noisy\"` set with `of` the stored patterns",
        );
        return false;
    }
    true
}

/// `(sign(v) == x)` componentwise, with sign(0) = +1.
pub fn sign_equal(v: &[f64], x: &[f64]) -> bool {
    v.iter()
        .zip(x)
        .all(|(a, b)| (if *a >= 0.0 { 1.0 } else { -1.0 }) == *b)
}

/// Fraction of `ok` over each level: (flip, queries, fraction) per level.
pub fn by_level(q: &Queries, ok: &[bool]) -> Vec<(f64, usize, f64)> {
    q.flips
        .iter()
        .enumerate()
        .map(|(level, &flip)| {
            let idx: Vec<usize> = (0..ok.len()).filter(|&i| q.level[i] == level).collect();
            let hits = idx.iter().filter(|&&i| ok[i]).count();
            (flip, idx.len(), hits as f64 / idx.len().max(1) as f64)
        })
        .collect()
}
