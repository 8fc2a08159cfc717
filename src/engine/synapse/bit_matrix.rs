//! A binary projection stored as bits: for each postsynaptic neuron, a bit mask over the
//! presynaptic population; one weight and one delay for all synapses (e.g. mossy fibre →
//! granule cell addresses). Delivery is batched: the presynaptic spikes that share an exact time
//! form a mask, and each target receives `popcount(mask & row) · weight` at once — exactly the
//! sum of the simultaneous unit events it stands for.
//!
//! Paired rails: when the presynaptic neurons come in pairs (2i, 2i + 1) and every row holds
//! exactly one of each pair — a dual-rail address, as the `address` rule wires a granule cell
//! that looks at every dimension — a row is stored as one bit per pair (which of the two), half
//! the bytes, and `popcount(mask & row)` is counted as `popcount(odd & row') + popcount(even &
//! !row')` over the gathered rails of the mask. The Kanerva cerebellum reads its 10⁶ rows once per
//! presentation, so the bytes read are its simulation's cost.

use std::borrow::Cow;

/// The even bits of `x`, gathered into its low 32 bits.
pub fn gather_even(x: u64) -> u64 {
    let mut x = x & 0x5555_5555_5555_5555;
    x = (x | (x >> 1)) & 0x3333_3333_3333_3333;
    x = (x | (x >> 2)) & 0x0f0f_0f0f_0f0f_0f0f;
    x = (x | (x >> 4)) & 0x00ff_00ff_00ff_00ff;
    x = (x | (x >> 8)) & 0x0000_ffff_0000_ffff;
    (x | (x >> 16)) & 0x0000_0000_ffff_ffff
}

/// The even bits (rail 0) of the pairs that word `w` of a row of `pairs` pairs holds.
pub(crate) fn pair_bits(pairs: usize, w: usize) -> u64 {
    let valid = (pairs - 32 * w).min(32);
    let low = if valid == 32 {
        u64::MAX
    } else {
        (1u64 << (2 * valid)) - 1
    };
    low & 0x5555_5555_5555_5555
}

/// The low 32 bits of `x` spread to the even bits (the inverse of `gather_even`).
fn spread_even(x: u64) -> u64 {
    let mut x = x & 0x0000_0000_ffff_ffff;
    x = (x | (x << 16)) & 0x0000_ffff_0000_ffff;
    x = (x | (x << 8)) & 0x00ff_00ff_00ff_00ff;
    x = (x | (x << 4)) & 0x0f0f_0f0f_0f0f_0f0f;
    x = (x | (x << 2)) & 0x3333_3333_3333_3333;
    (x | (x << 1)) & 0x5555_5555_5555_5555
}

/// Words of 64 pairs gathered from full words of 32 pairs: the rail picked by `rail` (0: even
/// bits, 1: odd bits).
fn gather_pairs(words: &[u64], rail: u32, out: &mut Vec<u64>) {
    out.clear();
    out.extend(words.chunks(2).map(|p| {
        let lo = gather_even(p[0] >> rail);
        let hi = p.get(1).map_or(0, |w| gather_even(w >> rail));
        lo | hi << 32
    }));
}

pub struct BitMatrix {
    pub n_pre: usize,
    pub n_post: usize,
    pub words_per_row: usize,
    /// Row of post neuron j: `bits[j·words_per_row ..]`; bit i set ⇔ synapse i → j. With
    /// paired rails, `bits[j·pair_words ..]`: bit i set ⇔ synapse 2i + 1 → j (else 2i → j).
    bits: Vec<u64>,
    /// Words per stored row when the rails are paired (0: rows stored whole).
    pair_words: usize,
    /// Every row is the same (e.g. `all_to_all`): only the first is stored.
    uniform: bool,
    pub weight: f32,
    pub delay: f64,
    synapses: usize,
}

impl BitMatrix {
    /// `bits` are `n_post` rows of `words_per_row` words (bits past `n_pre` must be 0).
    pub fn new(n_pre: usize, n_post: usize, bits: Vec<u64>, weight: f32, delay: f64) -> Self {
        use rayon::prelude::*;
        let words_per_row = n_pre.div_ceil(64);
        assert_eq!(
            bits.len(),
            words_per_row * n_post,
            "bit rows do not match the population sizes"
        );
        let synapses = bits.par_iter().map(|w| w.count_ones() as usize).sum();
        let mut m = BitMatrix {
            n_pre,
            n_post,
            words_per_row,
            bits,
            pair_words: 0,
            uniform: false,
            weight,
            delay,
            synapses,
        };
        if n_post > 1 && {
            let first = &m.bits[..words_per_row];
            m.bits.par_chunks_exact(words_per_row).all(|row| row == first)
        } {
            m.bits.truncate(words_per_row);
            m.bits.shrink_to_fit();
            m.uniform = true;
        } else if m.rails_paired() {
            let pw = (n_pre / 2).div_ceil(64);
            let mut out = vec![0u64; n_post * pw];
            out.par_chunks_mut(pw)
                .zip(m.bits.par_chunks_exact(words_per_row))
                .for_each_init(Vec::new, |row, (o, r)| {
                    gather_pairs(r, 1, row);
                    o.copy_from_slice(row);
                });
            m.pair_words = pw;
            m.bits = out;
        }
        m
    }

    /// Whether every row holds exactly one neuron of each pair (2i, 2i + 1).
    fn rails_paired(&self) -> bool {
        if self.n_pre < 2 || !self.n_pre.is_multiple_of(2) || self.n_post == 0 {
            return false;
        }
        use rayon::prelude::*;
        let pairs = self.n_pre / 2;
        self.bits.par_chunks_exact(self.words_per_row).all(|row| {
            row.iter().enumerate().all(|(w, &x)| {
                // Word w holds pairs 32w .. 32w + 31; each valid one exactly once.
                let even = pair_bits(pairs, w);
                (x ^ (x >> 1)) & even == even
            })
        })
    }

    /// Whether every target has the same row (one is stored).
    pub fn is_uniform(&self) -> bool {
        self.uniform
    }

    /// `popcount(mask & row)` of every row, when they are all the same.
    pub fn uniform_count(&self, mask: &[u64]) -> u64 {
        debug_assert!(self.uniform);
        self.bits
            .iter()
            .zip(mask)
            .map(|(r, m)| u64::from((r & m).count_ones()))
            .sum()
    }

    /// Where the row of `post` is stored (row 0 for every target of a uniform matrix).
    #[inline]
    fn stored(&self, post: usize) -> usize {
        if self.uniform { 0 } else { post }
    }

    /// Whether rows are stored as one bit per pair of rails.
    pub fn rails_are_paired(&self) -> bool {
        self.pair_words > 0
    }

    pub fn len(&self) -> usize {
        self.synapses
    }

    pub fn is_empty(&self) -> bool {
        self.synapses == 0
    }

    /// The row of `post` as `words_per_row` words, bit i set ⇔ synapse i → post.
    pub fn row(&self, post: usize) -> Cow<'_, [u64]> {
        let post = self.stored(post);
        if self.pair_words == 0 {
            return Cow::Borrowed(&self.bits[post * self.words_per_row..(post + 1) * self.words_per_row]);
        }
        let stored = &self.bits[post * self.pair_words..(post + 1) * self.pair_words];
        let pairs = self.n_pre / 2;
        Cow::Owned(
            (0..self.words_per_row)
                .map(|w| {
                    let half = stored[w / 2] >> (32 * (w % 2));
                    let valid = (pairs - 32 * w).min(32);
                    let live = if valid == 32 {
                        u64::MAX
                    } else {
                        (1u64 << valid) - 1
                    };
                    spread_even(half & live) << 1 | spread_even(!half & live)
                })
                .collect(),
        )
    }

    pub fn has(&self, pre: usize, post: usize) -> bool {
        let post = self.stored(post);
        if self.pair_words > 0 {
            let pair = pre / 2;
            let odd = self.bits[post * self.pair_words + pair / 64] >> (pair % 64) & 1 == 1;
            return odd == (pre % 2 == 1);
        }
        self.bits[post * self.words_per_row + pre / 64] >> (pre % 64) & 1 == 1
    }

    /// Adds `popcount(mask & row_j) · scale` to `out[j]` for every post neuron j (in parallel
    /// over blocks of targets; each target's sum is computed alone, so the result does not
    /// depend on the thread count). `scale` is the weight, its magnitude, or 1 to count events.
    /// Returns the synapses that delivered (the masked bits summed over targets).
    pub fn accumulate(&self, mask: &[u64], scale: f64, out: &mut [f64]) -> u64 {
        use rayon::prelude::*;
        const BLOCK: usize = 8192;
        let words = self.words_per_row;
        if self.uniform {
            let c = self.uniform_count(mask);
            if c > 0 {
                let x = c as f64 * scale;
                out.par_chunks_mut(BLOCK)
                    .for_each(|chunk| chunk.iter_mut().for_each(|o| *o += x));
            }
            return c * self.n_post as u64;
        }
        let nonzero: Vec<usize> = mask
            .iter()
            .enumerate()
            .filter(|(_, m)| **m != 0)
            .map(|(k, _)| k)
            .collect();
        // Masks with most words set (dual-rail codes: every word) are read whole, which the
        // compiler turns into vector popcounts; sparse masks visit their set words only.
        let dense = nonzero.len() * 2 > words;
        if self.pair_words > 0 {
            // The mask's two rails, gathered as the rows are stored.
            let (mut odd, mut even) = (Vec::new(), Vec::new());
            gather_pairs(mask, 1, &mut odd);
            gather_pairs(mask, 0, &mut even);
            let pw = self.pair_words;
            return out
                .par_chunks_mut(BLOCK)
                .enumerate()
                .map(|(b, chunk)| {
                    let rows = &self.bits[b * BLOCK * pw..(b * BLOCK + chunk.len()) * pw];
                    let mut hits = 0u64;
                    for (row, o) in rows.chunks_exact(pw).zip(chunk.iter_mut()) {
                        let c: u64 = row
                            .iter()
                            .zip(odd.iter().zip(&even))
                            .map(|(r, (a, z))| u64::from((r & a).count_ones() + (!r & z).count_ones()))
                            .sum();
                        if c > 0 {
                            *o += c as f64 * scale;
                            hits += c;
                        }
                    }
                    hits
                })
                .sum();
        }
        out.par_chunks_mut(BLOCK)
            .enumerate()
            .map(|(b, chunk)| {
                let rows = &self.bits[b * BLOCK * words..(b * BLOCK + chunk.len()) * words];
                if dense {
                    dense_block(rows, mask, scale, chunk)
                } else {
                    let mut hits = 0u64;
                    for (row, o) in rows.chunks_exact(words).zip(chunk.iter_mut()) {
                        let c: u32 = nonzero.iter().map(|&k| (row[k] & mask[k]).count_ones()).sum();
                        if c > 0 {
                            *o += f64::from(c) * scale;
                            hits += u64::from(c);
                        }
                    }
                    hits
                }
            })
            .sum()
    }

    pub fn bytes(&self) -> usize {
        self.bits.len() * 8
    }

    /// The masks as the rows are stored, one after another: the gathered rails (a: rail 1, b:
    /// rail 0) of paired rows, or the whole masks (b empty); and the words per stored row.
    fn stored_masks(&self, masks: &[Vec<u64>]) -> (Vec<u64>, Vec<u64>, usize) {
        if self.pair_words == 0 {
            return (masks.concat(), Vec::new(), self.words_per_row);
        }
        let (mut a, mut b, mut rail) = (Vec::new(), Vec::new(), Vec::new());
        for m in masks {
            gather_pairs(m, 1, &mut rail);
            a.extend_from_slice(&rail);
            gather_pairs(m, 0, &mut rail);
            b.extend_from_slice(&rail);
        }
        (a, b, self.pair_words)
    }

    /// `popcount(mask_k & row_j)` for each of `masks` (at most `MASKS_PER_PASS`) and every
    /// target j, in one pass over the rows: each row is loaded once and counted against every
    /// mask while it is in the cache, so counting the volleys of a source known in advance
    /// costs one read of the matrix per `MASKS_PER_PASS` volleys instead of one per volley (in
    /// parallel over blocks of targets). `counts[k][j]`; needs `n_pre ≤ u16::MAX`.
    pub fn count_many(&self, masks: &[Vec<u64>]) -> Vec<Vec<u16>> {
        let mut counts = vec![Vec::new(); masks.len()];
        self.count_many_into(masks, &mut counts);
        counts
    }

    /// `count_many` into `counts` (one vector per mask, resized to `n_post`): vectors kept
    /// from an earlier pass are overwritten in place — no fresh pages, no copies.
    pub fn count_many_into(&self, masks: &[Vec<u64>], counts: &mut [Vec<u16>]) {
        use rayon::prelude::*;
        const BLOCK: usize = 8192;
        assert!(self.n_pre <= usize::from(u16::MAX) && masks.len() <= MASKS_PER_PASS);
        assert_eq!(masks.len(), counts.len());
        for c in counts.iter_mut() {
            c.resize(self.n_post, 0);
        }
        if self.uniform {
            for (c, m) in counts.iter_mut().zip(masks) {
                c.fill(self.uniform_count(m) as u16);
            }
            return;
        }
        let (a, b, width) = self.stored_masks(masks);
        let kernel = Kernel::detect();
        // Block by block, the slices of every mask's counts.
        let mut blocks: Vec<Vec<&mut [u16]>> = (0..self.n_post.div_ceil(BLOCK))
            .map(|_| Vec::with_capacity(masks.len()))
            .collect();
        for c in counts.iter_mut() {
            for (block, part) in blocks.iter_mut().zip(c.chunks_mut(BLOCK)) {
                block.push(part);
            }
        }
        blocks
            .into_par_iter()
            .zip(self.bits.par_chunks(BLOCK * width))
            .for_each(|(mut out, rows)| kernel.count(rows, width, &a, &b, &mut out));
    }
}

/// Most masks `count_many` takes at once (its counts: 2 bytes per mask and target).
pub const MASKS_PER_PASS: usize = 16;

/// `out[j] += counts[j] · scale` where the count is not zero (as `accumulate` adds it);
/// returns the counts summed. Large vectors are shared out in blocks (each entry is added
/// alone, so the result does not depend on the threads).
pub fn add_counts(counts: &[u16], scale: f64, out: &mut [f64]) -> u64 {
    use rayon::prelude::*;
    const BLOCK: usize = 1 << 16;
    let add = |(counts, out): (&[u16], &mut [f64])| {
        let mut hits = 0u64;
        for (&c, o) in counts.iter().zip(out.iter_mut()) {
            if c > 0 {
                *o += u64::from(c) as f64 * scale;
                hits += u64::from(c);
            }
        }
        hits
    };
    if out.len() <= BLOCK {
        return add((counts, out));
    }
    counts
        .par_chunks(BLOCK)
        .zip(out.par_chunks_mut(BLOCK))
        .map(add)
        .sum()
}

/// The instructions `count_many` counts with: AVX-512 VPOPCNTDQ where the processor has it
/// (detected at run time; the counts are integers, the same either way), else scalar popcnt.
/// Once several masks share each row load the counting is no longer memory-bound: stand-alone,
/// 10⁶ rows of 1024 pairs, 16 masks, one thread: 9.4 ns per row and mask scalar, 4.9 with
/// VPOPCNTDQ (one mask at a time: 27 ns).
#[derive(Clone, Copy)]
enum Kernel {
    Scalar,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Kernel {
    fn detect() -> Kernel {
        #[cfg(target_arch = "x86_64")]
        if crate::cpu::has_avx512_popcount() {
            return Kernel::Avx512;
        }
        Kernel::Scalar
    }

    /// Counts `rows` (rows of `width` words) against the masks `a` (and `b` for paired rails:
    /// `popcount(row & a) + popcount(!row & b)`) into `out[k][j]`.
    fn count(self, rows: &[u64], width: usize, a: &[u64], b: &[u64], out: &mut [&mut [u16]]) {
        match self {
            Kernel::Scalar => count_rows(rows, width, a, b, out),
            #[cfg(target_arch = "x86_64")]
            // SAFETY: `detect` found the instructions on this processor.
            Kernel::Avx512 => unsafe { count_rows_avx512(rows, width, a, b, out) },
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512vpopcntdq,popcnt")]
fn count_rows_avx512(rows: &[u64], width: usize, a: &[u64], b: &[u64], out: &mut [&mut [u16]]) {
    count_rows(rows, width, a, b, out)
}

/// The counting loop (compiled once per instruction set by the functions that inline it).
#[inline(always)]
fn count_rows(rows: &[u64], width: usize, a: &[u64], b: &[u64], out: &mut [&mut [u16]]) {
    let masks = a.len() / width;
    for (j, row) in rows.chunks_exact(width).enumerate() {
        for k in 0..masks {
            let ak = &a[k * width..(k + 1) * width];
            let mut c = 0u64;
            if b.is_empty() {
                for (r, m) in row.iter().zip(ak) {
                    c += u64::from((r & m).count_ones());
                }
            } else {
                let bk = &b[k * width..(k + 1) * width];
                for ((r, x), z) in row.iter().zip(ak).zip(bk) {
                    c += u64::from((r & x).count_ones()) + u64::from((!r & z).count_ones());
                }
            }
            out[k][j] = c as u16;
        }
    }
}

/// `out[j] += popcount(mask & row_j) · scale` for consecutive rows; returns the bits counted.
/// (Compiled for AVX-512 VPOPCNTDQ this loop ran at the memory's speed on the Kanerva
/// cerebellum — no faster than the scalar one, which is memory-bound already; kept portable.)
fn dense_block(rows: &[u64], mask: &[u64], scale: f64, out: &mut [f64]) -> u64 {
    let mut hits = 0u64;
    for (row, o) in rows.chunks_exact(mask.len()).zip(out.iter_mut()) {
        let c: u64 = row
            .iter()
            .zip(mask)
            .map(|(r, m)| u64::from((r & m).count_ones()))
            .sum();
        if c > 0 {
            *o += c as f64 * scale;
            hits += c;
        }
    }
    hits
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A xorshift stream of 64-bit words.
    fn words_from(mut x: u64) -> impl FnMut() -> u64 {
        move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        }
    }

    /// The bits of word `w` that stand for neurons of a population of `n_pre`.
    fn live_bits(n_pre: usize, w: usize) -> u64 {
        if n_pre - 64 * w >= 64 {
            u64::MAX
        } else {
            (1u64 << (n_pre - 64 * w)) - 1
        }
    }

    #[test]
    fn accumulate_counts_every_masked_bit_for_dense_and_sparse_masks() {
        let (n_pre, n_post): (usize, usize) = (1000, 20_000);
        let words = n_pre.div_ceil(64);
        let mut next = words_from(0x2545_f491_4f6c_dd1d);
        let last = u64::MAX >> (64 * words - n_pre);
        let bits: Vec<u64> = (0..n_post * words)
            .map(|k| next() & if k % words == words - 1 { last } else { u64::MAX })
            .collect();
        let m = BitMatrix::new(n_pre, n_post, bits, 1.0, 1.0);
        // A dual-rail-like mask (every word set), and a sparse one (three words set).
        let dense: Vec<u64> = (0..words)
            .map(|k| {
                if k == words - 1 {
                    0x5555 & last
                } else {
                    0x5555_5555_5555_5555
                }
            })
            .collect();
        let sparse: Vec<u64> = (0..words)
            .map(|k| if [2, 7, 11].contains(&k) { next() } else { 0 })
            .collect();
        for mask in [dense, sparse] {
            let mut out = vec![0.5; n_post];
            let hits = m.accumulate(&mask, 0.25, &mut out);
            let mut want_hits = 0;
            for (j, o) in out.iter().enumerate() {
                let c = (0..n_pre)
                    .filter(|&i| m.has(i, j) && mask[i / 64] >> (i % 64) & 1 == 1)
                    .count();
                want_hits += c as u64;
                assert_eq!(*o, 0.5 + c as f64 * 0.25, "row {j}");
            }
            assert_eq!(hits, want_hits);
        }
    }

    /// Counting several masks in one pass gives, for each, what `accumulate` adds, on paired
    /// and whole rows, for dense, random and empty masks, on both kernels.
    #[test]
    fn count_many_counts_each_mask_as_accumulate_does() {
        let mut next = words_from(0x1234_5678_9abc_def1);
        let (pairs, n_post) = (100usize, 20_000);
        let n_pre = 2 * pairs;
        let words = n_pre.div_ceil(64);
        let live = |w: usize| live_bits(n_pre, w);
        let mut paired = vec![0u64; n_post * words];
        for j in 0..n_post {
            for i in 0..pairs {
                let pre = 2 * i + (next() & 1) as usize;
                paired[j * words + pre / 64] |= 1 << (pre % 64);
            }
        }
        let random: Vec<u64> = (0..n_post * words).map(|k| next() & live(k % words)).collect();
        for rows in [paired, random] {
            let m = BitMatrix::new(n_pre, n_post, rows, 1.0, 1.0);
            let mut masks: Vec<Vec<u64>> = (0..MASKS_PER_PASS - 1)
                .map(|_| (0..words).map(|w| next() & live(w)).collect())
                .collect();
            masks.push(vec![0; words]);
            let counts = m.count_many(&masks);
            assert_eq!(counts.len(), masks.len());
            let mut total = 0;
            for (mask, c) in masks.iter().zip(&counts) {
                let mut want = vec![0.0; n_post];
                let hits = m.accumulate(mask, 0.5, &mut want);
                let mut got = vec![0.0; n_post];
                assert_eq!(add_counts(c, 0.5, &mut got), hits);
                assert_eq!(got, want);
                total += hits;
            }
            assert!(total > 0);
            // The scalar kernel on its own (the test machine may use the wide one above).
            let (a, b, width) = m.stored_masks(&masks);
            let mut out = vec![vec![0u16; n_post]; masks.len()];
            let mut slices: Vec<&mut [u16]> = out.iter_mut().map(|o| &mut o[..]).collect();
            Kernel::Scalar.count(&m.bits, width, &a, &b, &mut slices);
            assert_eq!(out, counts);
            // Counting into vectors kept from an earlier pass overwrites them.
            let mut again = vec![vec![7u16; n_post]; masks.len()];
            m.count_many_into(&masks, &mut again);
            assert_eq!(again, counts);
        }
    }

    /// A matrix whose rows are all the same (all_to_all) keeps one and delivers what every
    /// row would: checked against popcounts of the rows as given.
    #[test]
    fn identical_rows_are_stored_once_and_count_as_every_row() {
        let mut next = words_from(0x2545_f491_4f6c_dd1d);
        for (n_pre, n_post) in [(1usize, 5000usize), (70, 300), (2000, 2)] {
            let words = n_pre.div_ceil(64);
            let live = |w: usize| live_bits(n_pre, w);
            let row: Vec<u64> = (0..words).map(|w| next() & live(w)).collect();
            let m = BitMatrix::new(n_pre, n_post, row.repeat(n_post), 0.5, 1.0);
            assert!(m.is_uniform() && m.bytes() == 8 * words);
            let per_row: usize = row.iter().map(|w| w.count_ones() as usize).sum();
            assert_eq!(m.len(), per_row * n_post);
            assert_eq!(m.row(n_post - 1).into_owned(), row);
            for pre in 0..n_pre {
                assert_eq!(m.has(pre, n_post - 1), row[pre / 64] >> (pre % 64) & 1 == 1);
            }
            let masks: Vec<Vec<u64>> = (0..3)
                .map(|_| (0..words).map(|w| next() & live(w)).collect())
                .collect();
            let counts = m.count_many(&masks);
            for (mask, c) in masks.iter().zip(&counts) {
                let want: u32 = row.iter().zip(mask).map(|(r, x)| (r & x).count_ones()).sum();
                assert_eq!(m.uniform_count(mask), u64::from(want));
                assert!(c.iter().all(|&x| u32::from(x) == want) && c.len() == n_post);
                let mut out = vec![1.0; n_post];
                let hits = m.accumulate(mask, 0.5, &mut out);
                assert_eq!(hits, u64::from(want) * n_post as u64);
                let each = if want > 0 {
                    1.0 + f64::from(want) * 0.5
                } else {
                    1.0
                };
                assert!(out.iter().all(|&x| x == each));
            }
        }
        // Rows that differ are kept.
        let m = BitMatrix::new(3, 2, vec![0b011, 0b110], 1.0, 1.0);
        assert!(!m.is_uniform() && m.row(1).into_owned() == vec![0b110]);
    }

    #[test]
    fn paired_rails_are_stored_as_one_bit_per_pair_and_deliver_the_same_counts() {
        let mut next = words_from(0x9e37_79b9_7f4a_7c15);
        for pairs in [1usize, 31, 32, 33, 40, 64, 65, 1000] {
            let (n_pre, n_post) = (2 * pairs, 3000);
            let words = n_pre.div_ceil(64);
            // Each row: one neuron of every pair, chosen at random.
            let mut rows = vec![0u64; n_post * words];
            for j in 0..n_post {
                for i in 0..pairs {
                    let pre = 2 * i + (next() & 1) as usize;
                    rows[j * words + pre / 64] |= 1 << (pre % 64);
                }
            }
            let m = BitMatrix::new(n_pre, n_post, rows.clone(), 1.0, 1.0);
            assert!(m.rails_are_paired(), "{pairs} pairs");
            assert_eq!(m.len(), n_post * pairs);
            for j in [0, 1, n_post - 1] {
                assert_eq!(
                    &m.row(j)[..],
                    &rows[j * words..(j + 1) * words],
                    "{pairs} pairs, row {j}"
                );
                for pre in 0..n_pre {
                    assert_eq!(m.has(pre, j), rows[j * words + pre / 64] >> (pre % 64) & 1 == 1);
                }
            }
            // A dual-rail mask, a random mask and a sparse one.
            let dual: Vec<u64> = (0..words)
                .map(|w| {
                    let even = pair_bits(pairs, w);
                    let odd = next() & (even << 1);
                    odd | (!(odd >> 1) & even)
                })
                .collect();
            let live = |w: usize| live_bits(n_pre, w);
            let random: Vec<u64> = (0..words).map(|w| next() & live(w)).collect();
            let sparse: Vec<u64> = (0..words)
                .map(|w| if w == 0 { 0b1011 & live(0) } else { 0 })
                .collect();
            for mask in [dual, random, sparse] {
                let mut out = vec![0.0; n_post];
                let hits = m.accumulate(&mask, 0.5, &mut out);
                let mut want_hits = 0;
                for (j, o) in out.iter().enumerate() {
                    let c: u32 = (0..words)
                        .map(|w| (rows[j * words + w] & mask[w]).count_ones())
                        .sum();
                    want_hits += u64::from(c);
                    assert_eq!(*o, f64::from(c) * 0.5, "{pairs} pairs, row {j}");
                }
                assert_eq!(hits, want_hits);
            }
        }
        // One row with both neurons of a pair: stored whole.
        let mut rows = vec![0u64; 2];
        rows[0] = 0b01;
        rows[1] = 0b11;
        assert!(!BitMatrix::new(2, 2, rows, 1.0, 1.0).rails_are_paired());
    }
}
