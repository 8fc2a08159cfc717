//! Spikes and synaptic events, and the per-neuron event lanes an epoch is cut into.

/// A spike emitted by neuron `neuron` (global index) at `time` ms.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spike {
    pub time: f64,
    pub neuron: u32,
}

/// A synaptic event waiting for delivery: `weight` reaches neuron `target` at `time` ms.
#[derive(Clone, Copy, Debug)]
pub struct PendingEvent {
    pub time: f64,
    pub weight: f32,
    pub target: u32,
}

/// An event on a receptor other than the default one (e.g. `fire`), for one neuron of a group.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReceptorInput {
    pub time: f64,
    /// Local index in the target population.
    pub neuron: u32,
    pub receptor: u8,
    pub weight: f32,
}

/// A synaptic event in a neuron's lane.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Input {
    pub time: f64,
    pub weight: f32,
}

/// The events of one epoch grouped by target neuron and sorted by time.
///
/// Tie rule: events that reach one neuron at exactly the same time keep the order in which
/// they were sent — by projection (order in the circuit file), then spike (time, global neuron
/// index), then synapse (the projection's row order).
/// Models decide what simultaneity means; `lif` sums simultaneous inputs into one jump.
///
/// The neurons are cut into parts (one per worker thread; a part may hold a share of several
/// populations), each filled from the events sent to its own neurons, in parallel; a lane is
/// the same whatever the cut.
#[derive(Default)]
pub struct Lanes {
    parts: Vec<LanePart>,
}

/// The lanes of the neurons `[first, end)`.
#[derive(Default)]
pub struct LanePart {
    first: u32,
    end: u32,
    /// Neurons whose lane is not empty, ascending.
    touched: Vec<u32>,
    /// Lane k (of neuron `touched[k]`) is `inputs[bounds[k]..bounds[k + 1]]`.
    bounds: Vec<u32>,
    inputs: Vec<Input>,
    /// Scratch for the radix sort, and the target of each input.
    count: Vec<u32>,
    targets: Vec<u32>,
    sorted: Vec<PendingEvent>,
    spare: Vec<PendingEvent>,
}

impl Lanes {
    /// Regroups `events` (any order) into lanes for `n` neurons, in one part.
    pub fn fill(&mut self, n: usize, events: &[PendingEvent]) {
        self.fill_parts(&crate::engine::team::SOLO, &[(0, n as u32)], &[events]);
    }

    /// Regroups the events of each part (`events[p]`: those for the neurons of part p, any
    /// order) into lanes, the parts shared out in `team`; `spans` as in `parts_mut`.
    pub fn fill_parts<E: AsRef<[PendingEvent]> + Sync>(
        &mut self,
        team: &crate::engine::team::Team,
        spans: &[(u32, u32)],
        events: &[E],
    ) {
        team.for_each(self.parts_mut(spans), &|p, part| part.fill(events[p].as_ref()));
    }

    /// The parts of the lanes, for members of a team that each fill their own part and read
    /// it (`LanePart::fill`, `LanePart::view`). Part p's neurons lie in `[spans[p].0,
    /// spans[p].1)`; parts may interleave (a share of every population each), as long as,
    /// within any one population, a part's neurons all come before the next part's.
    pub fn parts_mut(&mut self, spans: &[(u32, u32)]) -> &mut [LanePart] {
        self.parts.resize_with(spans.len(), LanePart::default);
        for (part, &(first, end)) in self.parts.iter_mut().zip(spans) {
            part.first = first;
            part.end = end;
        }
        &mut self.parts
    }

    /// The lanes of every part.
    pub fn view(&self) -> LaneView<'_> {
        LaneView { parts: &self.parts }
    }

    /// The lane of every neuron in `[from, to)`, in order (empty slices for neurons without
    /// input).
    pub fn each_lane(&self, from: u32, to: u32) -> impl Iterator<Item = &[Input]> {
        self.view().each_lane(from, to)
    }

    /// The non-empty lanes of neurons in `[from, to)`: (global index, inputs sorted by time).
    pub fn lanes_in(&self, from: u32, to: u32) -> LanesIn<'_> {
        self.view().lanes_in(from, to)
    }
}

/// Read access to the lanes of some parts (all of them, or one part's own).
#[derive(Clone, Copy)]
pub struct LaneView<'a> {
    parts: &'a [LanePart],
}

impl<'a> LaneView<'a> {
    /// The lane of every neuron in `[from, to)`, in order (empty slices for neurons without
    /// input); the range must lie within the view's parts, and within one population.
    pub fn each_lane(self, from: u32, to: u32) -> impl Iterator<Item = &'a [Input]> {
        let mut touched = self.lanes_in(from, to).peekable();
        (from..to).map(move |gid| match touched.peek() {
            Some(&(g, lane)) if g == gid => {
                touched.next();
                lane
            }
            _ => &[],
        })
    }

    /// The non-empty lanes of neurons in `[from, to)`, ascending: (global index, inputs sorted
    /// by time); the range must lie within the view's parts, and within one population.
    pub fn lanes_in(self, from: u32, to: u32) -> LanesIn<'a> {
        let mut it = LanesIn {
            parts: self.parts,
            from,
            to,
            part: 0,
            k: 0,
            end: 0,
        };
        if let Some(part) = self.parts.first() {
            (it.k, it.end) = part.range(from, to);
        }
        it
    }
}

/// The non-empty lanes of a range of neurons, part after part (see `Lanes::lanes_in`).
pub struct LanesIn<'a> {
    parts: &'a [LanePart],
    from: u32,
    to: u32,
    /// The current part, and the positions left in its `touched`.
    part: usize,
    k: usize,
    end: usize,
}

impl<'a> LanesIn<'a> {
    #[inline(always)]
    fn take(&mut self) -> (u32, &'a [Input]) {
        let part = &self.parts[self.part];
        let k = self.k;
        self.k += 1;
        (
            part.touched[k],
            &part.inputs[part.bounds[k] as usize..part.bounds[k + 1] as usize],
        )
    }

    /// Moves on to the next part that has lanes in the range.
    #[cold]
    #[inline(never)]
    fn next_part(&mut self) -> Option<(u32, &'a [Input])> {
        while self.k >= self.end {
            self.part += 1;
            let part = self.parts.get(self.part)?;
            (self.k, self.end) = part.range(self.from, self.to);
        }
        Some(self.take())
    }
}

impl LanesIn<'_> {
    /// The neuron whose lane comes `d` lanes after the one `next` gave last, if it is in the
    /// same part (for prefetching: a miss at a part's end costs nothing but the hint).
    #[inline(always)]
    pub fn ahead(&self, d: usize) -> Option<u32> {
        let k = self.k + d - 1;
        if k < self.end {
            Some(self.parts[self.part].touched[k])
        } else {
            None
        }
    }
}

impl<'a> Iterator for LanesIn<'a> {
    type Item = (u32, &'a [Input]);

    #[inline(always)]
    fn next(&mut self) -> Option<Self::Item> {
        if self.k < self.end {
            Some(self.take())
        } else {
            self.next_part()
        }
    }
}

/// Bits of the target sorted per pass (4096 counts, 16 KiB).
const RADIX_BITS: u32 = 12;

impl LanePart {
    /// Regroups `events` (for this part's neurons, any order) into lanes.
    pub fn fill(&mut self, events: &[PendingEvent]) {
        self.touched.clear();
        self.bounds.clear();
        self.inputs.clear();
        if events.is_empty() {
            return;
        }
        let (first, n) = (self.first, (self.end - self.first) as usize);
        // Group by target, keeping the sending order (both sorts are stable): a comparison
        // sort for a few events, else a radix sort on the target — one or more counting passes
        // of at most RADIX_BITS bits, so the counts stay in the L1 cache and an epoch costs its
        // events, not the part's neurons.
        // The last pass writes each event's input and target apart (the lanes need the
        // targets only to find where each neuron's inputs start).
        let (inputs, targets) = (&mut self.inputs, &mut self.targets);
        targets.clear();
        let input = |e: &PendingEvent| Input {
            time: e.time,
            weight: e.weight,
        };
        if events.len() < 64 {
            self.sorted.clear();
            self.sorted.extend_from_slice(events);
            self.sorted.sort_by_key(|e| e.target);
            inputs.extend(self.sorted.iter().map(input));
            targets.extend(self.sorted.iter().map(|e| e.target));
        } else {
            let bits = u32::BITS - (n.max(2) as u32 - 1).leading_zeros();
            let passes = bits.div_ceil(RADIX_BITS);
            let width = bits.div_ceil(passes);
            let mask = (1u32 << width) - 1;
            let (mut out, mut spare) = (std::mem::take(&mut self.sorted), std::mem::take(&mut self.spare));
            inputs.resize(events.len(), input(&events[0]));
            targets.resize(events.len(), 0);
            for pass in 0..passes {
                let shift = pass * width;
                let digit = |e: &PendingEvent| ((e.target - first) >> shift & mask) as usize;
                let src: &[PendingEvent] = if pass == 0 { events } else { &spare };
                self.count.clear();
                self.count.resize(mask as usize + 2, 0);
                for e in src {
                    self.count[digit(e) + 1] += 1;
                }
                let mut acc = 0u32;
                for c in self.count.iter_mut() {
                    acc += *c;
                    *c = acc;
                }
                if pass + 1 == passes {
                    for e in src {
                        let c = &mut self.count[digit(e)];
                        inputs[*c as usize] = input(e);
                        targets[*c as usize] = e.target;
                        *c += 1;
                    }
                } else {
                    out.resize(events.len(), events[0]);
                    for e in src {
                        let c = &mut self.count[digit(e)];
                        out[*c as usize] = *e;
                        *c += 1;
                    }
                    // The next pass reads what this one wrote.
                    std::mem::swap(&mut out, &mut spare);
                }
            }
            (self.sorted, self.spare) = (out, spare);
        }
        let mut last = u32::MAX;
        for (k, &t) in targets.iter().enumerate() {
            if t != last {
                self.touched.push(t);
                self.bounds.push(k as u32);
                last = t;
            }
        }
        self.bounds.push(targets.len() as u32);
        for k in 0..self.touched.len() {
            let lane = &mut self.inputs[self.bounds[k] as usize..self.bounds[k + 1] as usize];
            if lane.len() > 1 {
                // Stable: equal times keep the sending order.
                lane.sort_by(|x, y| x.time.total_cmp(&y.time));
            }
        }
    }

    /// This part's lanes alone.
    pub fn view(&self) -> LaneView<'_> {
        LaneView {
            parts: std::slice::from_ref(self),
        }
    }

    /// The positions in `touched` of the neurons in `[from, to)`.
    fn range(&self, from: u32, to: u32) -> (usize, usize) {
        let a = self.touched.partition_point(|&i| i < from);
        let b = a + self.touched[a..].partition_point(|&i| i < to);
        (a, b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_sort_by_time_and_keep_sending_order_on_ties() {
        let ev = |time, weight, target| PendingEvent { time, weight, target };
        let events = [ev(2.0, 1.0, 1), ev(1.0, 2.0, 1), ev(1.0, 3.0, 1), ev(0.5, 4.0, 3)];
        let mut lanes = Lanes::default();
        for n in [4, 1000] {
            // Both grouping paths (counting sort for n = 4, comparison sort for n = 1000).
            lanes.fill(n, &events);
            let all: Vec<(u32, Vec<f32>)> = lanes
                .lanes_in(0, 4)
                .map(|(i, l)| (i, l.iter().map(|e| e.weight).collect()))
                .collect();
            assert_eq!(all, vec![(1, vec![2.0, 3.0, 1.0]), (3, vec![4.0])]);
            let upper: Vec<u32> = lanes.lanes_in(2, 4).map(|(i, _)| i).collect();
            assert_eq!(upper, vec![3]);
        }
    }

    /// `count` events made by `event` from the words of a xorshift stream seeded `x`.
    fn scrambled(mut x: u64, count: usize, event: impl Fn(u64) -> PendingEvent) -> Vec<PendingEvent> {
        (0..count)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                event(x)
            })
            .collect()
    }

    /// The radix sort (one pass up to 4096 neurons, two or three beyond) groups events as a
    /// stable sort by target, then by time, would.
    #[test]
    fn radix_lanes_equal_a_stable_sort_by_target_then_time() {
        for (n, count) in [(4096u32, 5000), (100_000, 30_000), (20_000_000, 70)] {
            let events = scrambled(0x2545_f491_4f6c_dd1d + u64::from(n), count, |x| PendingEvent {
                time: (x % 5) as f64 * 0.5,
                weight: (x % 1013) as f32,
                // Many events share a target (a tenth of the targets), some the last.
                target: if x.is_multiple_of(97) {
                    n - 1
                } else {
                    ((x >> 16) % u64::from(n / 10 + 1)) as u32 * 10 % n
                },
            });
            let mut lanes = Lanes::default();
            lanes.fill(n as usize, &events);
            let mut want = events.clone();
            want.sort_by(|a, b| a.target.cmp(&b.target).then(a.time.total_cmp(&b.time)));
            let got: Vec<(u32, f64, f32)> = lanes
                .lanes_in(0, n)
                .flat_map(|(t, lane)| lane.iter().map(move |e| (t, e.time, e.weight)))
                .collect();
            let want: Vec<(u32, f64, f32)> = want.iter().map(|e| (e.target, e.time, e.weight)).collect();
            assert_eq!(got, want, "{n} neurons");
        }
    }

    /// 20 000 events in a scrambled order onto 1000 neurons, many on the same neuron and time
    /// (`times` distinct times, `step` ms apart), and their lanes in one part.
    fn events_onto_1000(seed: u64, times: u64, step: f64) -> (Vec<PendingEvent>, Lanes) {
        let events = scrambled(seed, 20_000, |x| PendingEvent {
            time: (x % times) as f64 * step,
            weight: (x % 1009) as f32,
            target: ((x >> 20) % 1000) as u32,
        });
        let mut one = Lanes::default();
        one.fill(1000, &events);
        (events, one)
    }

    #[test]
    fn lanes_cut_into_parts_are_the_lanes_of_one_part() {
        let (events, one) = events_onto_1000(88172645463325252, 7, 0.25);
        let whole: Vec<Vec<Input>> = one.each_lane(0, 1000).map(<[Input]>::to_vec).collect();
        for starts in [
            vec![0, 1000],
            vec![0, 500, 1000],
            vec![0, 1, 333, 334, 999, 1000],
            vec![0, 0, 1000, 1000],
        ] {
            let spans: Vec<(u32, u32)> = starts.windows(2).map(|w| (w[0], w[1])).collect();
            let parts: Vec<Vec<PendingEvent>> = starts
                .windows(2)
                .map(|w| {
                    events
                        .iter()
                        .filter(|e| e.target >= w[0] && e.target < w[1])
                        .copied()
                        .collect()
                })
                .collect();
            let mut cut = Lanes::default();
            crate::engine::team::Team::with(2, |team| cut.fill_parts(team, &spans, &parts));
            let got: Vec<Vec<Input>> = cut.each_lane(0, 1000).map(<[Input]>::to_vec).collect();
            assert_eq!(got, whole, "{starts:?}");
            let some: Vec<u32> = cut.lanes_in(300, 700).map(|(g, _)| g).collect();
            let want: Vec<u32> = one.lanes_in(300, 700).map(|(g, _)| g).collect();
            assert_eq!(some, want);
        }
    }

    #[test]
    fn interleaved_parts_give_each_population_its_lanes_in_order() {
        // Two populations, [0, 600) and [600, 1000); each part takes a share of both.
        let (events, one) = events_onto_1000(1442695040888963407, 5, 0.5);
        let pops = [(0u32, 600u32), (600, 1000)];
        for cuts in [
            [vec![0, 300, 600], vec![0, 200, 400]],
            [vec![0, 0, 600], vec![0, 400, 400]],
            [vec![0, 64, 128, 600], vec![0, 1, 2, 400]],
        ] {
            let n_parts = cuts[0].len() - 1;
            let segments = |p: usize| {
                pops.iter()
                    .zip(&cuts)
                    .map(move |(&(off, _), c)| (off + c[p], off + c[p + 1]))
            };
            let parts: Vec<Vec<PendingEvent>> = (0..n_parts)
                .map(|p| {
                    events
                        .iter()
                        .filter(|e| segments(p).any(|(a, b)| e.target >= a && e.target < b))
                        .copied()
                        .collect()
                })
                .collect();
            let spans: Vec<(u32, u32)> = (0..n_parts)
                .map(|p| {
                    let live = segments(p).filter(|(a, b)| a < b);
                    live.fold((u32::MAX, 0), |(f, e), (a, b)| (f.min(a), e.max(b)))
                })
                .map(|(f, e)| if f > e { (e, e) } else { (f, e) })
                .collect();
            let mut cut = Lanes::default();
            crate::engine::team::Team::with(2, |team| cut.fill_parts(team, &spans, &parts));
            for &(from, to) in &pops {
                let got: Vec<Vec<Input>> = cut.each_lane(from, to).map(<[Input]>::to_vec).collect();
                let want: Vec<Vec<Input>> = one.each_lane(from, to).map(<[Input]>::to_vec).collect();
                assert_eq!(got, want, "{cuts:?}");
                let mid = (from + 10, to - 10);
                let got: Vec<u32> = cut.lanes_in(mid.0, mid.1).map(|(g, _)| g).collect();
                let want: Vec<u32> = one.lanes_in(mid.0, mid.1).map(|(g, _)| g).collect();
                assert_eq!(got, want, "{cuts:?}");
            }
            // Each part alone holds the lanes of its own segments.
            for p in 0..n_parts {
                for (a, b) in segments(p) {
                    let got: Vec<u32> = cut.parts[p].view().lanes_in(a, b).map(|(g, _)| g).collect();
                    let want: Vec<u32> = one.lanes_in(a, b).map(|(g, _)| g).collect();
                    assert_eq!(got, want, "{cuts:?} part {p}");
                }
            }
        }
    }
}
