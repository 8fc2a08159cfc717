//! Sharing the neurons out among the worker threads by their measured speed.
//!
//! Each part of the neurons is one member's job in every epoch (part p, member p), and the
//! epoch waits for the slowest. On a shared or virtual machine the members do not run at one
//! speed: here, one run in ten of cuba_ed at 40 000 neurons had its helper thread ~20 % slower
//! for the whole run (its virtual core's host core busy elsewhere, presumably), and in the
//! others the helper's equal share took 1–2 % longer. So the shares follow the time each part's
//! job took: when a window of jobs shows that other shares would end the epochs sooner by at
//! least `MIN_GAIN`, the parts are cut again (half-way towards the shares that would have
//! balanced the window). Cutting again moves waiting events between parts and re-finds where
//! rows cross the new cuts, so it is done at most once per `COST_RATIO` times its own cost.
//!
//! Where the cuts lie never changes a result: a neuron's lane is the same whatever part it is
//! in (`event::Lanes`), so the spikes are identical whatever the shares and however they move.

/// Seconds of job time (of the least busy part), and jobs, a window gathers before shares
/// are judged (fewer were noise at cuba_ed 400 000: shares swung ±1 % around even).
const WINDOW_S: f64 = 0.2;
const WINDOW_JOBS: u32 = 200;

/// The least gain in epoch time (fraction) worth cutting again for, after a whole window.
/// Before it, from `FIRST_LOOK_S` of job time on, a gain of `MIN_GAIN · √(WINDOW_S / t)` closes
/// the window early: a member 20 % slower (a 9 % gain) is seen after 0.02 s, within the first
/// tenth of a 200 ms benchmark at 40 000 neurons; one 3 % slower (1.5 %) after 0.09 s.
const MIN_GAIN: f64 = 0.01;
const FIRST_LOOK_S: f64 = 0.02;

/// A recut waits until this many times its own cost has passed in jobs since the last one
/// (a recut at cuba_ed 400 000 took 12 ms).
const COST_RATIO: f64 = 100.0;

/// No part's share falls below this fraction of an even share (a part that stalled for a
/// window is not starved).
const LEAST_OF_EVEN: f64 = 0.5;

/// The parts' shares of every population, and the job times measured since the last decision.
#[derive(Clone, Debug)]
pub struct Balance {
    shares: Vec<f64>,
    busy: Vec<f64>,
    jobs: u32,
    /// Seconds of jobs (the slowest part's, window by window) since the last recut, and that
    /// recut's cost.
    since_recut: f64,
    recut_cost: f64,
}

impl Balance {
    /// Even shares for `parts` parts.
    pub fn even(parts: usize) -> Balance {
        let parts = parts.max(1);
        Balance {
            shares: vec![1.0 / parts as f64; parts],
            busy: vec![0.0; parts],
            jobs: 0,
            since_recut: 0.0,
            recut_cost: 0.0,
        }
    }

    pub fn shares(&self) -> &[f64] {
        &self.shares
    }

    /// Sets the shares (positive; scaled to sum to one) and forgets the measured times.
    pub fn set_shares(&mut self, shares: &[f64]) {
        let sum: f64 = shares.iter().sum();
        self.shares = shares.iter().map(|s| s / sum).collect();
        self.busy = vec![0.0; shares.len()];
        self.jobs = 0;
    }

    /// The parts' jobs of one epoch took `seconds` (by part).
    pub fn add(&mut self, seconds: impl IntoIterator<Item = f64>) {
        for (b, s) in self.busy.iter_mut().zip(seconds) {
            *b += s;
        }
        self.jobs += 1;
    }

    /// Cutting the parts again took `seconds`.
    pub fn recut_took(&mut self, seconds: f64) {
        self.recut_cost = seconds;
        self.since_recut = 0.0;
    }

    /// After a job: the new shares, when the window is full (or already shows a large gain)
    /// and they would gain enough.
    pub fn decide(&mut self) -> Option<Vec<f64>> {
        let parts = self.shares.len();
        let least = self.busy.iter().copied().fold(f64::INFINITY, f64::min);
        if parts < 2 || least < FIRST_LOOK_S || self.jobs < WINDOW_JOBS {
            return None;
        }
        let slowest = self.busy.iter().copied().fold(0.0, f64::max);
        // Member p needs busy_p / share_p seconds per unit share; shares inverse to that
        // would have finished every part together, in `balanced` seconds.
        let balanced = 1.0
            / self
                .busy
                .iter()
                .zip(&self.shares)
                .map(|(b, s)| s / b)
                .sum::<f64>();
        let gain = 1.0 - balanced / slowest;
        // A short window is trusted for a large gain only (its noise falls as 1/√length).
        let needed = MIN_GAIN * (WINDOW_S / least).sqrt().max(1.0);
        if least < WINDOW_S && gain < needed {
            return None;
        }
        self.since_recut += slowest;
        let busy = std::mem::replace(&mut self.busy, vec![0.0; parts]);
        self.jobs = 0;
        if gain < needed || self.since_recut < COST_RATIO * self.recut_cost {
            return None;
        }
        let floor = LEAST_OF_EVEN / parts as f64;
        let new: Vec<f64> = self
            .shares
            .iter()
            .zip(&busy)
            .map(|(s, b)| (0.5 * (s + balanced * s / b)).max(floor))
            .collect();
        let sum: f64 = new.iter().sum();
        Some(new.iter().map(|s| s / sum).collect())
    }
}

/// Where the parts cut a population of `size` neurons: `shares.len() + 1` ascending cuts from
/// 0 to `size`, each inner one a multiple of `align` (part p holds `[cuts[p], cuts[p + 1])`).
pub fn cuts(size: u32, shares: &[f64], align: u32) -> Vec<u32> {
    let mut out = Vec::with_capacity(shares.len() + 1);
    out.push(0);
    let mut before = 0.0;
    for s in &shares[..shares.len().saturating_sub(1)] {
        before += s;
        let c = (size as f64 * before.clamp(0.0, 1.0)).floor() as u32;
        let c = c / align * align;
        out.push(c.max(*out.last().unwrap_or(&0)));
    }
    out.push(size);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One window of WINDOW_JOBS jobs, in which part p's member needs `per_share[p]` seconds
    /// per share (summed over the window).
    fn window(b: &mut Balance, per_share: &[f64]) -> Option<Vec<f64>> {
        let shares = b.shares().to_vec();
        let mut decided = None;
        for _ in 0..WINDOW_JOBS {
            b.add(
                shares
                    .iter()
                    .zip(per_share)
                    .map(|(s, c)| s * c / WINDOW_JOBS as f64),
            );
            decided = decided.or(b.decide());
        }
        decided
    }

    #[test]
    fn shares_move_towards_the_faster_member_and_settle() {
        let mut b = Balance::even(2);
        // The helper 25 % slower: balanced shares are 5/9 and 4/9.
        let per_share = [1.0, 1.25];
        let mut recuts = 0;
        for _ in 0..30 {
            if let Some(s) = window(&mut b, &per_share) {
                b.set_shares(&s);
                b.recut_took(0.0);
                recuts += 1;
            }
        }
        assert!((b.shares()[0] - 5.0 / 9.0).abs() < 0.01, "{:?}", b.shares());
        assert!((b.shares().iter().sum::<f64>() - 1.0).abs() < 1e-12);
        // Half-way steps: within MIN_GAIN after a few, and then no more.
        assert!((2..=6).contains(&recuts), "{recuts}");
    }

    #[test]
    fn a_much_slower_member_is_seen_early_a_slightly_slower_one_later() {
        // Jobs of 50 µs; the second member 20 % slower: recut at 0.02 s of the faster's jobs
        // (gain 1 − (1/(1 + 1/1.2))/0.6 ≈ 9 % ≥ 1 % · √10).
        let seen_after = |slower: f64| {
            let mut b = Balance::even(2);
            let mut jobs = 0;
            loop {
                jobs += 1;
                b.add([25e-6, 25e-6 * slower]);
                if let Some(s) = b.decide() {
                    return (jobs, s);
                }
                assert!(jobs < 100_000, "never decided");
            }
        };
        let (jobs, s) = seen_after(1.2);
        assert_eq!(jobs, 800, "0.02 s of 25 µs jobs");
        assert!(s[0] > 0.52 && s[0] < 0.55, "{s:?}");
        // 3 % slower: a gain g = 1 − 1/((0.5 + 0.5/1.03) · 1.03) ≈ 1.5 %, enough once the
        // window reaches WINDOW_S · (MIN_GAIN / g)² ≈ 0.09 s.
        let g = 1.0 - 1.0 / ((0.5 + 0.5 / 1.03) * 1.03);
        let t = WINDOW_S * (MIN_GAIN / g).powi(2);
        let (jobs, _) = seen_after(1.03);
        assert!((jobs as f64 * 25e-6 - t).abs() < 25e-6, "{jobs} jobs, {t} s");
    }

    #[test]
    fn balanced_members_are_left_alone() {
        let mut b = Balance::even(3);
        for _ in 0..20 {
            assert_eq!(window(&mut b, &[1.0, 1.003, 0.997]), None);
        }
        assert_eq!(b.shares(), &[1.0 / 3.0; 3]);
    }

    #[test]
    fn a_costly_recut_waits_and_no_part_starves() {
        let mut b = Balance::even(2);
        b.recut_took(10.0);
        // A member 100× slower: nothing until 1000 s of jobs have passed, 50 s a window.
        let mut windows = 0;
        while window(&mut b, &[1.0, 100.0]).is_none() {
            windows += 1;
        }
        assert_eq!(windows, 19);
        let mut b = Balance::even(2);
        let s = window(&mut b, &[1.0, 100.0]).unwrap();
        assert!(s[1] >= 0.25 - 1e-12, "{s:?}");
    }

    #[test]
    fn cuts_are_aligned_ascending_and_cover_the_population() {
        for size in [0u32, 1, 63, 64, 100, 8000, 32000, 1_000_000] {
            for shares in [&[1.0][..], &[0.5, 0.5], &[0.3, 0.3, 0.4], &[0.9, 0.05, 0.05]] {
                let c = cuts(size, shares, 64);
                assert_eq!(c.len(), shares.len() + 1);
                assert_eq!((c[0], *c.last().unwrap()), (0, size));
                assert!(c.windows(2).all(|w| w[0] <= w[1]), "{c:?}");
                assert!(c[1..c.len() - 1].iter().all(|x| x % 64 == 0), "{c:?}");
            }
        }
        assert_eq!(cuts(32000, &[0.5, 0.5], 64), vec![0, 16000, 32000]);
        assert_eq!(cuts(8000, &[0.5, 0.5], 64), vec![0, 3968, 8000]);
    }
}
