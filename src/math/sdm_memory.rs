//! Kanerva's binary Sparse Distributed Memory on explicit hard locations: the algorithm the
//! cerebellar circuit is compared with, run on the same addresses and patterns.

/// A binary vector packed in u64 words (bit i of word i/64).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bits {
    pub n: usize,
    pub words: Vec<u64>,
}

impl Bits {
    pub fn from_bools(b: &[bool]) -> Self {
        let mut words = vec![0u64; b.len().div_ceil(64)];
        for (i, &x) in b.iter().enumerate() {
            if x {
                words[i / 64] |= 1 << (i % 64);
            }
        }
        Bits { n: b.len(), words }
    }

    pub fn get(&self, i: usize) -> bool {
        self.words[i / 64] >> (i % 64) & 1 == 1
    }

    pub fn to_bools(&self) -> Vec<bool> {
        (0..self.n).map(|i| self.get(i)).collect()
    }

    pub fn hamming(&self, other: &Bits) -> usize {
        hamming_words(&self.words, &other.words)
    }
}

pub fn hamming_words(a: &[u64], b: &[u64]) -> usize {
    a.iter().zip(b).map(|(x, y)| (x ^ y).count_ones() as usize).sum()
}

/// How many locations two activation sets (ascending, no repeats) share: `|A ∩ B|`.
pub fn common(a: &[u32], b: &[u32]) -> usize {
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

/// A set of locations marked in a bit per location, to count how many locations of other sets
/// it shares in one lookup each (`common` walks both lists).
pub struct Marked {
    bits: Vec<u64>,
}

impl Marked {
    /// `set`: locations below `r`.
    pub fn new(set: &[u32], r: usize) -> Self {
        let mut bits = vec![0u64; r.div_ceil(64)];
        for &t in set {
            bits[t as usize / 64] |= 1 << (t % 64);
        }
        Marked { bits }
    }

    /// `|set ∩ other|` (other without repeats).
    pub fn common(&self, other: &[u32]) -> usize {
        other
            .iter()
            .filter(|&&t| self.bits[t as usize / 64] >> (t % 64) & 1 == 1)
            .count()
    }
}

/// Counter tables up to this size are held as counters; larger memories keep their writes.
const COUNTER_BYTES: usize = 256 << 20;

/// Where the memory's contents live. Both give the same reads exactly: a read sums the counters
/// of `A(q)`, `Σ_{τ∈A(q)} C_τj = Σ_{τ∈A(q)} Σ_μ [τ ∈ A(k_μ)] (2v_μj − 1) = Σ_μ |A(q) ∩ A(k_μ)|
/// (2v_μj − 1)` — the second form needs no counters.
enum Store {
    /// Kanerva's bipolar counters: location τ, bit j at `[τ·n_out + j]`.
    Counters(Vec<i32>),
    /// The writes: the locations each one activated (ascending) and its value. At Kanerva's
    /// scale (10⁶ locations × 1000 bits) the counters would take 4 GB; 1000 writes of ~1000
    /// locations take 4 MB.
    Writes {
        active: Vec<Vec<u32>>,
        values: Vec<Bits>,
    },
}

/// `r` hard locations with fixed addresses and bipolar counters.
pub struct SdmMemory {
    pub n: usize,
    pub n_out: usize,
    pub radius: usize,
    words: usize,
    /// Address of location τ: `addresses[τ·words .. (τ+1)·words]`.
    addresses: Vec<u64>,
    /// Which coordinates location τ looks at (same layout; empty: all of them, Kanerva's
    /// design). Distance is counted over those coordinates only.
    masks: Vec<u64>,
    store: Store,
}

/// What one read returns.
#[derive(Clone, Debug, PartialEq)]
pub struct Readout {
    /// `Σ_{τ∈A(q)} C_τj` for each output bit j.
    pub sums: Vec<i64>,
    /// `[sum > 0]`.
    pub bits: Vec<bool>,
    /// `|A(q)|`.
    pub active: usize,
}

impl SdmMemory {
    /// `addresses` holds the r addresses packed as in `Bits` (r × ⌈n/64⌉ words).
    pub fn new(n: usize, n_out: usize, radius: usize, addresses: Vec<u64>) -> Self {
        let words = n.div_ceil(64);
        let r = addresses.len() / words;
        let mut m = SdmMemory {
            n,
            n_out,
            radius,
            words,
            addresses,
            masks: Vec::new(),
            store: Store::Counters(Vec::new()),
        };
        m.keep_counters(r.saturating_mul(n_out).saturating_mul(4) <= COUNTER_BYTES);
        m
    }

    /// Holds the contents as counters (`true`) or as the list of writes (`false`); the reads
    /// are the same either way. Call before the first write.
    pub fn keep_counters(&mut self, counters: bool) {
        self.store = if counters {
            Store::Counters(vec![0; self.locations() * self.n_out])
        } else {
            Store::Writes {
                active: Vec::new(),
                values: Vec::new(),
            }
        };
    }

    /// Locations that each look at a subset of the coordinates (`masks`, same layout as the
    /// addresses): location τ is active for x iff `popcount((a_τ ⊕ x) ∧ mask_τ) ≤ radius`.
    pub fn with_masks(n: usize, n_out: usize, radius: usize, addresses: Vec<u64>, masks: Vec<u64>) -> Self {
        assert_eq!(addresses.len(), masks.len());
        let mut m = SdmMemory::new(n, n_out, radius, addresses);
        m.masks = masks;
        m
    }

    /// Distance of location τ's address to `x` over the coordinates it looks at.
    pub fn distance(&self, tau: usize, x: &Bits) -> usize {
        let a = self.address(tau);
        if self.masks.is_empty() {
            return hamming_words(a, &x.words);
        }
        let m = &self.masks[tau * self.words..(tau + 1) * self.words];
        a.iter()
            .zip(&x.words)
            .zip(m)
            .map(|((a, b), m)| ((a ^ b) & m).count_ones() as usize)
            .sum()
    }

    pub fn locations(&self) -> usize {
        self.addresses.len() / self.words
    }

    pub fn address(&self, tau: usize) -> &[u64] {
        &self.addresses[tau * self.words..(tau + 1) * self.words]
    }

    /// `A(x)`: locations within the radius of `x`, ascending.
    pub fn activated(&self, x: &Bits) -> Vec<u32> {
        use rayon::prelude::*;
        (0..self.locations())
            .into_par_iter()
            .filter(|&t| self.distance(t, x) <= self.radius)
            .map(|t| t as u32)
            .collect()
    }

    /// `A(x)` for each of `xs`: one pass over the locations (each address read once and held
    /// while every `x` is compared with it), in parallel blocks of locations joined in order.
    pub fn activated_many(&self, xs: &[Bits]) -> Vec<Vec<u32>> {
        use rayon::prelude::*;
        const BLOCK: usize = 4096;
        let r = self.locations();
        // The xs side by side (at Kanerva's scale 1100 × 16 words: they stay in the cache).
        let flat: Vec<u64> = xs.iter().flat_map(|x| x.words.iter().copied()).collect();
        let wide = crate::cpu::has_avx512_popcount();
        let blocks: Vec<Vec<Vec<u32>>> = (0..r.div_ceil(BLOCK))
            .into_par_iter()
            .map(|b| {
                let mut out = vec![Vec::new(); xs.len()];
                let block = b * BLOCK..((b + 1) * BLOCK).min(r);
                #[cfg(target_arch = "x86_64")]
                if wide {
                    // SAFETY: the processor has the instructions (checked above).
                    unsafe { self.activated_within_avx512(block, &flat, &mut out) };
                    return out;
                }
                let _ = wide;
                self.activated_within(block, &flat, &mut out);
                out
            })
            .collect();
        let mut all = vec![Vec::new(); xs.len()];
        for block in blocks {
            for (a, part) in all.iter_mut().zip(block) {
                a.extend(part);
            }
        }
        all
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512vpopcntdq,popcnt")]
    fn activated_within_avx512(&self, locations: std::ops::Range<usize>, xs: &[u64], out: &mut [Vec<u32>]) {
        self.activated_within(locations, xs, out)
    }

    /// Pushes each location of `locations` onto `out[k]` if it is within the radius of
    /// `xs[k·words ..]` (compiled once per instruction set by the functions that inline it).
    #[inline(always)]
    fn activated_within(&self, locations: std::ops::Range<usize>, xs: &[u64], out: &mut [Vec<u32>]) {
        let w = self.words;
        for t in locations {
            let a = self.address(t);
            if self.masks.is_empty() {
                for (k, x) in xs.chunks_exact(w).enumerate() {
                    let d: u32 = a.iter().zip(x).map(|(a, x)| (a ^ x).count_ones()).sum();
                    if d as usize <= self.radius {
                        out[k].push(t as u32);
                    }
                }
            } else {
                let m = &self.masks[t * w..(t + 1) * w];
                for (k, x) in xs.chunks_exact(w).enumerate() {
                    let d: u32 = a
                        .iter()
                        .zip(x)
                        .zip(m)
                        .map(|((a, x), m)| ((a ^ x) & m).count_ones())
                        .sum();
                    if d as usize <= self.radius {
                        out[k].push(t as u32);
                    }
                }
            }
        }
    }

    /// Kanerva's write: every activated location adds `2v − 1` to its counters.
    pub fn write(&mut self, key: &Bits, value: &Bits) {
        let active = self.activated(key);
        self.write_active(&active, value);
    }

    /// The write for locations already known to be `A(key)`.
    pub fn write_active(&mut self, active: &[u32], value: &Bits) {
        let counters = match &mut self.store {
            Store::Counters(c) => c,
            Store::Writes { active: a, values } => {
                a.push(active.to_vec());
                values.push(value.clone());
                return;
            }
        };
        // `2v − 1` once, then one plain addition per counter (which the compiler vectorises).
        let delta: Vec<i32> = (0..self.n_out)
            .map(|j| if value.get(j) { 1 } else { -1 })
            .collect();
        for &t in active {
            let row = &mut counters[t as usize * self.n_out..(t as usize + 1) * self.n_out];
            for (c, d) in row.iter_mut().zip(&delta) {
                *c += d;
            }
        }
    }

    pub fn read(&self, query: &Bits) -> Readout {
        self.read_active(&self.activated(query))
    }

    /// The read for locations already known to be `A(query)`.
    pub fn read_active(&self, active: &[u32]) -> Readout {
        let mut sums = vec![0i64; self.n_out];
        match &self.store {
            Store::Counters(counters) => {
                for &t in active {
                    let row = &counters[t as usize * self.n_out..(t as usize + 1) * self.n_out];
                    for (s, c) in sums.iter_mut().zip(row) {
                        *s += i64::from(*c);
                    }
                }
            }
            Store::Writes {
                active: written,
                values,
            } => {
                let marked = Marked::new(active, self.locations());
                for (a, v) in written.iter().zip(values) {
                    let c = marked.common(a) as i64;
                    if c > 0 {
                        for (j, s) in sums.iter_mut().enumerate() {
                            *s += if v.get(j) { c } else { -c };
                        }
                    }
                }
            }
        }
        let bits = sums.iter().map(|s| *s > 0).collect();
        Readout {
            sums,
            bits,
            active: active.len(),
        }
    }

    /// `C_τj`: what location τ holds for bit j.
    pub fn counter(&self, tau: usize, j: usize) -> i32 {
        match &self.store {
            Store::Counters(c) => c[tau * self.n_out + j],
            Store::Writes { active, values } => active
                .iter()
                .zip(values)
                .filter(|(a, _)| a.binary_search(&(tau as u32)).is_ok())
                .map(|(_, v)| if v.get(j) { 1 } else { -1 })
                .sum(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activated_many_is_activated_for_each() {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let (n, r): (usize, usize) = (100, 9000);
        let words = n.div_ceil(64);
        let random = |rng: &mut rand_chacha::ChaCha8Rng, k: usize| -> Vec<u64> {
            (0..k * words)
                .map(|w| {
                    let x: u64 = rng.random();
                    if (w + 1) % words == 0 {
                        x & ((1u64 << (n % 64)) - 1)
                    } else {
                        x
                    }
                })
                .collect()
        };
        let addresses = random(&mut rng, r);
        let masks = random(&mut rng, r);
        let xs: Vec<Bits> = (0..20)
            .map(|_| {
                let b: Vec<bool> = (0..n).map(|_| rng.random_bool(0.5)).collect();
                Bits::from_bools(&b)
            })
            .collect();
        for mem in [
            SdmMemory::new(n, 1, 45, addresses.clone()),
            SdmMemory::with_masks(n, 1, 20, addresses, masks),
        ] {
            let many = mem.activated_many(&xs);
            assert!(many.iter().map(Vec::len).sum::<usize>() > 100);
            for (x, a) in xs.iter().zip(&many) {
                assert_eq!(&mem.activated(x), a);
            }
            // The portable loop alone (the machine may have taken the AVX-512 one above).
            let flat: Vec<u64> = xs.iter().flat_map(|x| x.words.clone()).collect();
            let mut portable = vec![Vec::new(); xs.len()];
            mem.activated_within(0..r, &flat, &mut portable);
            assert_eq!(portable, many);
        }
    }
    use rand::{RngExt, SeedableRng};

    /// A memory that keeps its writes reads exactly what one with counters reads, and its
    /// counters are the same, for overlapping writes, repeated keys and empty activations.
    #[test]
    fn kept_writes_read_as_counters() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(23);
        let (n, r, n_out) = (40usize, 3000usize, 70usize);
        let random_bits = |rng: &mut rand_chacha::ChaCha8Rng, k: usize| {
            Bits::from_bools(&(0..k).map(|_| rng.random::<bool>()).collect::<Vec<_>>())
        };
        let mut addr = Vec::new();
        for _ in 0..r {
            addr.extend(random_bits(&mut rng, n).words);
        }
        let mut with = SdmMemory::new(n, n_out, 15, addr.clone());
        with.keep_counters(true);
        let mut without = SdmMemory::new(n, n_out, 15, addr);
        without.keep_counters(false);
        let keys: Vec<Bits> = (0..30).map(|_| random_bits(&mut rng, n)).collect();
        let mut nonzero = 0;
        for k in 0..60 {
            let key = &keys[k % keys.len()];
            let value = random_bits(&mut rng, n_out);
            with.write(key, &value);
            without.write(key, &value);
        }
        for q in keys
            .iter()
            .chain(&[random_bits(&mut rng, n), Bits::from_bools(&[true; 40])])
        {
            let (a, b) = (with.read(q), without.read(q));
            assert_eq!(a, b);
            nonzero += a.sums.iter().filter(|s| **s != 0).count();
        }
        assert!(nonzero > 100, "the reads are not trivial: {nonzero}");
        for tau in (0..r).step_by(7) {
            for j in [0, 33, n_out - 1] {
                assert_eq!(with.counter(tau, j), without.counter(tau, j));
            }
        }
    }

    /// The read sums equal `Σ_μ c_μ (2 v_μ − 1)` with `c_μ = |A(q) ∩ A(k_μ)|`, for any placement.
    #[test]
    fn read_equals_intersection_weighted_sum() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let (n, r, m) = (32usize, 400usize, 6usize);
        let mut addr = Vec::new();
        for _ in 0..r {
            let b: Vec<bool> = (0..n).map(|_| rng.random::<bool>()).collect();
            addr.extend(Bits::from_bools(&b).words);
        }
        let mut mem = SdmMemory::new(n, n, 12, addr);
        let pats: Vec<Bits> = (0..m)
            .map(|_| Bits::from_bools(&(0..n).map(|_| rng.random::<bool>()).collect::<Vec<_>>()))
            .collect();
        for p in &pats {
            mem.write(p, p);
        }
        let q = &pats[0];
        let aq = mem.activated(q);
        let out = mem.read(q);
        for j in 0..n {
            let expected: i64 = pats
                .iter()
                .map(|p| {
                    let ap = mem.activated(p);
                    let c = aq.iter().filter(|t| ap.contains(t)).count() as i64;
                    if p.get(j) { c } else { -c }
                })
                .sum();
            assert_eq!(out.sums[j], expected);
        }
    }
}
