//! Counter-based random streams.
//!
//! Every random number in engram comes from a ChaCha8 stream whose 256-bit key is the tuple
//! `(seed, domain, entity, index)`: the run seed, what the numbers are for (connectivity,
//! weights, Poisson spikes, ...), which population or projection (a stable hash of its name)
//! and which neuron. A stream never depends on how many numbers other streams drew, so the
//! same circuit and seed give the same numbers whatever the thread count or build order, and
//! adding a population leaves the randomness of the others unchanged.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// What a stream's numbers are used for. The discriminant is part of the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Domain {
    Connectivity = 1,
    Weight = 2,
    Delay = 3,
    InitialState = 4,
    PoissonSpikes = 5,
    EscapeNoise = 6,
    Protocol = 7,
}

/// The random stream for `(seed, domain, entity, index)`.
pub fn stream(seed: u64, domain: Domain, entity: u64, index: u64) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    key[0..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&(domain as u64).to_le_bytes());
    key[16..24].copy_from_slice(&entity.to_le_bytes());
    key[24..32].copy_from_slice(&index.to_le_bytes());
    ChaCha8Rng::from_seed(key)
}

/// `k` distinct indices from `0..n`, uniformly (Floyd's algorithm), ascending.
pub fn choose_distinct<R: rand::Rng>(rng: &mut R, n: usize, k: usize) -> std::collections::BTreeSet<usize> {
    use rand::RngExt;
    let mut chosen = std::collections::BTreeSet::new();
    for j in n - k.min(n)..n {
        let t = rng.random_range(0..=j);
        if !chosen.insert(t) {
            chosen.insert(j);
        }
    }
    chosen
}

/// A stable 64-bit name hash (FNV-1a), used as the `entity` of a population or projection.
pub fn name_key(name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_differ_by_every_key_part_and_repeat_exactly() {
        let first = |s, d, e, i| stream(s, d, e, i).next_u64();
        let base = first(1, Domain::Weight, 2, 3);
        assert_eq!(base, first(1, Domain::Weight, 2, 3));
        assert_ne!(base, first(9, Domain::Weight, 2, 3));
        assert_ne!(base, first(1, Domain::Delay, 2, 3));
        assert_ne!(base, first(1, Domain::Weight, 7, 3));
        assert_ne!(base, first(1, Domain::Weight, 2, 4));
    }
}
