//! The write/read protocol: patterns, queries, and the mossy-fibre and climbing-fibre spike
//! times that present them.
//!
//! Timing (all delays exact in binary): mossy fibres fire at the presentation time T; Golgi
//! cells at T+1; granule cells receive both at T+2 and fire then; parallel fibres reach the
//! Purkinje cells at T+3, where a read is taken. During a write the climbing fibre of every
//! output bit that is 0 reaches its Purkinje cell at T+3+t_peak, the peak of the LTD window.

use rand::RngExt;

use super::spec::CerebellumToml;
use crate::engine::rng::{Domain, choose_distinct, name_key, stream};

pub const MF_TO_GRANULE_MS: f64 = 2.0;
pub const MF_TO_GOLGI_MS: f64 = 1.0;
pub const GOLGI_TO_GRANULE_MS: f64 = 1.0;
pub const PF_TO_PURKINJE_MS: f64 = 1.0;
pub const CF_TO_PURKINJE_MS: f64 = 1.0;
const FIRST_WRITE_MS: f64 = 10.0;

#[derive(Clone, Debug)]
pub struct Read {
    pub time: f64,
    pub level: usize,
    pub noise: f64,
    pub target: usize,
    pub query: Vec<bool>,
}

pub struct Protocol {
    pub keys: Vec<Vec<bool>>,
    pub values: Vec<Vec<bool>>,
    pub write_times: Vec<f64>,
    pub reads: Vec<Read>,
    pub read_start: f64,
    pub duration: f64,
    /// Spike times of each mossy fibre (2n) and climbing fibre (n_out).
    pub mossy: Vec<Vec<f64>>,
    pub climbing: Vec<Vec<f64>>,
}

fn random_bits(seed: u64, what: &str, index: u64, n: usize) -> Vec<bool> {
    let mut rng = stream(seed, Domain::Protocol, name_key(what), index);
    (0..n).map(|_| rng.random::<bool>()).collect()
}

/// `x` with exactly `flips` bits flipped, chosen uniformly.
fn flip(seed: u64, index: u64, x: &[bool], flips: usize) -> Vec<bool> {
    let mut rng = stream(seed, Domain::Protocol, name_key("query flips"), index);
    let mut q = x.to_vec();
    for i in choose_distinct(&mut rng, x.len(), flips) {
        q[i] = !q[i];
    }
    q
}

/// Time after a presentation at which the Purkinje cells read it.
pub fn read_delay() -> f64 {
    MF_TO_GRANULE_MS + PF_TO_PURKINJE_MS
}

impl Protocol {
    pub fn new(c: &CerebellumToml, t_peak: f64) -> Protocol {
        let (n, m, seed) = (c.sdm.n, c.protocol.patterns, c.seed);
        let keys: Vec<Vec<bool>> = (0..m).map(|mu| random_bits(seed, "keys", mu as u64, n)).collect();
        let values: Vec<Vec<bool>> = if c.protocol.heteroassociative {
            (0..m)
                .map(|mu| random_bits(seed, "values", mu as u64, n))
                .collect()
        } else {
            keys.clone()
        };
        let w = c.protocol.write_interval_ms;
        let write_times: Vec<f64> = (0..m).map(|mu| FIRST_WRITE_MS + mu as f64 * w).collect();
        let read_start = FIRST_WRITE_MS + m as f64 * w;
        let mut reads = Vec::new();
        for (level, &noise) in c.protocol.query_noise.iter().enumerate() {
            for q in 0..c.protocol.queries_per_level {
                let index = reads.len();
                let target = index % m;
                let flips = (noise * n as f64).round() as usize;
                reads.push(Read {
                    time: read_start + index as f64 * c.protocol.read_interval_ms,
                    level,
                    noise,
                    target,
                    query: flip(seed, (level * 1_000_000 + q) as u64, &keys[target], flips),
                });
            }
        }
        let duration = reads.last().map_or(read_start, |r| r.time) + c.protocol.read_interval_ms;
        let mut mossy = vec![Vec::new(); 2 * n];
        let mut present = |t: f64, x: &[bool]| {
            for (i, &b) in x.iter().enumerate() {
                mossy[2 * i + usize::from(b)].push(t);
            }
        };
        for (mu, &t) in write_times.iter().enumerate() {
            present(t, &keys[mu]);
        }
        for r in &reads {
            present(r.time, &r.query);
        }
        let mut climbing = vec![Vec::new(); n];
        for (mu, &t) in write_times.iter().enumerate() {
            // The climbing fibre reaches the Purkinje cell t_peak after the parallel fibres.
            let cf = t + read_delay() + t_peak - CF_TO_PURKINJE_MS;
            for (j, &bit) in values[mu].iter().enumerate() {
                if !bit {
                    climbing[j].push(cf);
                }
            }
        }
        Protocol {
            keys,
            values,
            write_times,
            reads,
            read_start,
            duration,
            mossy,
            climbing,
        }
    }
}
