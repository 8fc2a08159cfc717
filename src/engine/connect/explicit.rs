//! `explicit`: the listed (pre, post) pairs, optionally with their own weights and delays.

use rand_chacha::ChaCha8Rng;

use super::{Connect, ConnectivityRule, Listed, Rule, Sizes};
use crate::engine::params::{Param, ParamError, ParamKind};
use crate::engine::simulation::{MAX_WEIGHT, MIN_DELAY_MS};

pub static RULE: ConnectivityRule = ConnectivityRule {
    name: "explicit",
    summary: "the listed [pre, post] pairs, with optional weights and delays_ms (one per pair)",
    params: &[
        Param::list("pairs", ParamKind::Pairs, "[[pre, post], ...], indices from 0"),
        Param::list(
            "weights",
            ParamKind::Numbers,
            "one weight per pair (replaces `weight`)",
        ),
        Param::list(
            "delays_ms",
            ParamKind::Numbers,
            "one delay per pair, ms (replaces `delay_ms`)",
        ),
    ],
    check: |p, s| {
        let Some(pairs) = p.pairs("pairs") else {
            return Err(ParamError::new(
                "",
                "`explicit` needs `pairs = [[pre, post], ...]`",
            ));
        };
        if let Some((a, b)) = pairs
            .iter()
            .find(|&&(a, b)| a as usize >= s.n_pre || b as usize >= s.n_post)
        {
            return Err(ParamError::new(
                "pairs",
                format!(
                    "pair [{a}, {b}] is outside {} × {} neurons (indices start at 0)",
                    s.n_pre, s.n_post
                ),
            ));
        }
        for key in ["weights", "delays_ms"] {
            if let Some(v) = p.numbers(key) {
                if v.len() != pairs.len() {
                    return Err(ParamError::new(
                        if key == "weights" { "weights" } else { "delays_ms" },
                        format!(
                            "{} values for {} pairs; give one value per pair",
                            v.len(),
                            pairs.len()
                        ),
                    ));
                }
                if v.iter().any(|x| !x.is_finite()) {
                    return Err(ParamError::new(
                        if key == "weights" { "weights" } else { "delays_ms" },
                        "every value must be finite",
                    ));
                }
            }
        }
        if let Some(x) = p
            .numbers("delays_ms")
            .and_then(|d| d.iter().find(|x| **x < MIN_DELAY_MS))
        {
            return Err(ParamError::new(
                "delays_ms",
                format!("delay {x:e} ms is below the shortest delay engram resolves, {MIN_DELAY_MS} ms"),
            ));
        }
        if let Some(x) = p
            .numbers("weights")
            .and_then(|w| w.iter().find(|x| x.abs() > MAX_WEIGHT))
        {
            return Err(ParamError::new(
                "weights",
                format!("weight {x:e} does not fit a synapse (|w| ≤ {MAX_WEIGHT:.3e})"),
            ));
        }
        Ok(())
    },
    build: |p| {
        Rule::new(
            "explicit",
            Explicit(Listed {
                pairs: p.pairs("pairs").unwrap_or(&[]).to_vec(),
                weights: p.numbers("weights").map(<[f64]>::to_vec),
                delays: p.numbers("delays_ms").map(<[f64]>::to_vec),
            }),
        )
    },
};

/// True when the list names every (pre, post) pair exactly once and gives no per-pair delays
/// (a dense matrix then holds its weights).
pub fn covers_all_pairs(list: &Listed, s: Sizes) -> bool {
    if list.delays.is_some() || list.pairs.len() != s.n_pre * s.n_post || s.no_self {
        return false;
    }
    let mut seen = vec![false; s.n_pre * s.n_post];
    list.pairs.iter().all(|&(a, b)| {
        let k = a as usize * s.n_post + b as usize;
        k < seen.len() && !std::mem::replace(&mut seen[k], true)
    })
}

#[derive(Debug)]
pub struct Explicit(pub Listed);

impl Connect for Explicit {
    fn expected_synapses(&self, _s: Sizes) -> f64 {
        self.0.pairs.len() as f64
    }

    fn sources(&self, _s: Sizes, _post: usize, _rng: &mut ChaCha8Rng, _out: &mut Vec<u32>) {}

    fn listed(&self) -> Option<&Listed> {
        Some(&self.0)
    }

    fn all_pairs(&self, s: Sizes) -> bool {
        covers_all_pairs(&self.0, s)
    }
}
