//! Protocols: named pattern sets, phases of trials that present them to spike sources, and
//! readouts taken after each presentation. Validation turns a file's `[[pattern]]`,
//! `[[phase]]` and `[[readout]]` blocks into these; `compile` turns them into spike times.

use rand::RngExt;

use crate::engine::rng::{Domain, choose_distinct, name_key, stream};

/// A named set of vectors (0/1 bits or ±1 signs), seeded by its name.
#[derive(Clone, Debug, PartialEq)]
pub struct PatternSet {
    pub name: String,
    /// ±1 components (otherwise 0/1).
    pub signs: bool,
    pub dim: usize,
    pub items: Vec<Vec<f64>>,
    /// For noisy copies: the set copied, the item each copy was made from, its level, and
    /// the flipped fraction of each level.
    pub base: Option<usize>,
    pub targets: Vec<usize>,
    pub levels: Vec<usize>,
    pub flips: Vec<f64>,
}

impl PatternSet {
    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Component i of item k as a bit (1 or +1 → true).
    pub fn bit(&self, k: usize, i: usize) -> bool {
        self.items[k][i] > if self.signs { 0.0 } else { 0.5 }
    }

    pub fn bits(&self, k: usize) -> Vec<bool> {
        (0..self.dim).map(|i| self.bit(k, i)).collect()
    }

    /// Item k as ±1 components.
    pub fn signs_of(&self, k: usize) -> Vec<f64> {
        (0..self.dim)
            .map(|i| if self.bit(k, i) { 1.0 } else { -1.0 })
            .collect()
    }

    /// The item of the base set that item k copies (itself for a set without a base).
    pub fn target(&self, k: usize) -> usize {
        self.targets.get(k).copied().unwrap_or(k)
    }

    /// Random items: bits or signs, item k from the stream (seed, name, k).
    pub fn random(seed: u64, name: &str, count: usize, dim: usize, signs: bool) -> PatternSet {
        let key = name_key(name);
        let items = (0..count)
            .map(|k| {
                let mut rng = stream(seed, Domain::Protocol, key, k as u64);
                (0..dim)
                    .map(|_| match (rng.random::<bool>(), signs) {
                        (true, true) => 1.0,
                        (false, true) => -1.0,
                        (b, false) => f64::from(u8::from(b)),
                    })
                    .collect()
            })
            .collect();
        PatternSet {
            name: name.to_string(),
            signs,
            dim,
            items,
            base: None,
            targets: Vec::new(),
            levels: Vec::new(),
            flips: Vec::new(),
        }
    }

    /// Noisy copies of `base` (index `base_index`): for each level, `per_level` copies; copy j
    /// (counted over all levels) copies item `j mod |base|` with exactly round(flip·dim)
    /// components flipped, chosen uniformly from the stream (seed, name, j).
    pub fn noisy(
        seed: u64,
        name: &str,
        base: &PatternSet,
        base_index: usize,
        flips: &[f64],
        per_level: usize,
    ) -> Self {
        let key = name_key(name);
        let mut set = PatternSet {
            name: name.to_string(),
            signs: base.signs,
            dim: base.dim,
            items: Vec::new(),
            base: Some(base_index),
            targets: Vec::new(),
            levels: Vec::new(),
            flips: flips.to_vec(),
        };
        for (level, &f) in flips.iter().enumerate() {
            let k = (f * base.dim as f64).round() as usize;
            for _ in 0..per_level {
                let j = set.items.len();
                let target = j % base.len();
                let mut rng = stream(seed, Domain::Protocol, key, j as u64);
                let mut x = base.items[target].clone();
                for i in choose_distinct(&mut rng, base.dim, k) {
                    x[i] = if base.signs { -x[i] } else { 1.0 - x[i] };
                }
                set.items.push(x);
                set.targets.push(target);
                set.levels.push(level);
            }
        }
        set
    }
}

/// How a vector becomes spikes of a source population.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encode {
    DualRail,
    Ones,
    Zeros,
    OneHot,
    All,
}

impl Encode {
    pub fn name(self) -> &'static str {
        match self {
            Encode::DualRail => "dual_rail",
            Encode::Ones => "ones",
            Encode::Zeros => "zeros",
            Encode::OneHot => "one_hot",
            Encode::All => "all",
        }
    }

    /// The population size the encoding needs for vectors of `dim` components from a set of
    /// `count` items (None: any size).
    pub fn size_for(self, dim: usize, count: usize) -> Option<usize> {
        match self {
            Encode::DualRail => Some(2 * dim),
            Encode::Ones | Encode::Zeros => Some(dim),
            Encode::OneHot => Some(count),
            Encode::All => None,
        }
    }

    /// The neurons that fire for `bits` (item `index`) in a population of `size`.
    pub fn neurons(self, bits: &[bool], index: usize, size: usize) -> Vec<usize> {
        match self {
            Encode::DualRail => bits
                .iter()
                .enumerate()
                .map(|(i, &b)| 2 * i + usize::from(b))
                .collect(),
            Encode::Ones => (0..bits.len()).filter(|&i| bits[i]).collect(),
            Encode::Zeros => (0..bits.len()).filter(|&i| !bits[i]).collect(),
            Encode::OneHot => vec![index],
            Encode::All => (0..size).collect(),
        }
    }
}

/// Which item of a presented set a trial uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// The trial's own item (same set, or a set of the same size).
    Same,
    /// The item the trial's noisy copy was made from (or the item at that index in a set of
    /// the base set's size).
    Target,
}

/// One volley (or train of volleys) presented in each trial of a phase.
#[derive(Clone, Debug, PartialEq)]
pub struct Present {
    pub stimulus: usize,
    pub set: usize,
    pub align: Align,
    pub encode: Encode,
    /// Offset from the presentation time.
    pub at: f64,
    /// Repeat every this many ms (0: once) ...
    pub every: f64,
    /// ... until this offset (exclusive).
    pub until: f64,
}

/// Closed loop: the sign of a readout of one presentation is presented as the next.
#[derive(Clone, Debug, PartialEq)]
pub struct Feedback {
    pub readout: usize,
    pub stimulus: usize,
    pub encode: Encode,
    pub repeats: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Phase {
    pub name: String,
    /// One trial per item of this set.
    pub set: usize,
    pub start: f64,
    /// Between presentations.
    pub interval: f64,
    pub trials: usize,
    /// Per trial: 1, plus the feedback repeats.
    pub presentations: usize,
    /// (projection, plasticity on) at the phase's start.
    pub plasticity: Vec<(usize, bool)>,
    pub present: Vec<Present>,
    pub feedback: Option<Feedback>,
}

impl Phase {
    pub fn end(&self) -> f64 {
        self.start + (self.trials * self.presentations) as f64 * self.interval
    }

    /// Time of presentation `p` of trial `k`.
    pub fn time(&self, k: usize, p: usize) -> f64 {
        self.start + (k * self.presentations + p) as f64 * self.interval
    }
}

#[derive(serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ReadoutKind {
    /// Which neurons fired in the window.
    Fired,
    /// Spikes per neuron in the window (and in `prefixes_ms` of it).
    Counts,
    /// Summed input per neuron in the window.
    InputSum,
    /// Membrane potential at the window's end minus at its start.
    MembraneChange,
    /// Weights of a projection's synapses at the window's end minus at its start.
    WeightChange,
}

impl ReadoutKind {
    pub fn name(self) -> &'static str {
        match self {
            ReadoutKind::Fired => "fired",
            ReadoutKind::Counts => "counts",
            ReadoutKind::InputSum => "input_sum",
            ReadoutKind::MembraneChange => "membrane_change",
            ReadoutKind::WeightChange => "weight_change",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Readout {
    pub name: String,
    pub kind: ReadoutKind,
    pub population: usize,
    /// Phases it is taken in (every presentation of every trial).
    pub phases: Vec<usize>,
    pub from: f64,
    pub to: f64,
    /// `counts`: windows `[from, from + p)` too.
    pub prefixes: Vec<f64>,
    /// `weight_change`: the projection (its postsynaptic population is `population`) and the
    /// synapses read, as (pre, post); empty: every synapse, by presynaptic neuron.
    pub projection: Option<usize>,
    pub synapses: Vec<(u32, u32)>,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Protocol {
    pub patterns: Vec<PatternSet>,
    pub phases: Vec<Phase>,
    pub readouts: Vec<Readout>,
}

impl Protocol {
    pub fn pattern(&self, name: &str) -> Option<usize> {
        self.patterns.iter().position(|p| p.name == name)
    }

    pub fn phase(&self, name: &str) -> Option<usize> {
        self.phases.iter().position(|p| p.name == name)
    }

    pub fn readout(&self, name: &str) -> Option<usize> {
        self.readouts.iter().position(|r| r.name == name)
    }

    /// Adds the spikes of every phase's presentations to the spike-time lists of the stimuli
    /// (`times[population][neuron]`); only the first presentation of a trial is presented
    /// from the file, the others come from feedback while running.
    pub fn compile(&self, times: &mut [Option<Vec<Vec<f64>>>]) {
        for phase in &self.phases {
            for k in 0..phase.trials {
                let t = phase.time(k, 0);
                for pr in &phase.present {
                    let Some(lists) = times[pr.stimulus].as_mut() else {
                        continue;
                    };
                    let set = &self.patterns[pr.set];
                    let item = match pr.align {
                        Align::Same => k,
                        Align::Target => self.patterns[phase.set].target(k),
                    };
                    let bits = if pr.encode == Encode::OneHot || pr.encode == Encode::All {
                        Vec::new()
                    } else {
                        set.bits(item)
                    };
                    let neurons = pr.encode.neurons(&bits, item, lists.len());
                    let mut offset = pr.at;
                    loop {
                        for &n in &neurons {
                            lists[n].push(t + offset);
                        }
                        if pr.every <= 0.0 {
                            break;
                        }
                        offset += pr.every;
                        if offset >= pr.until {
                            break;
                        }
                    }
                }
            }
        }
    }

    /// Spikes `compile` adds (for budgets before anything is built).
    pub fn spike_count(&self, sizes: &[usize]) -> f64 {
        let mut total = 0.0;
        for phase in &self.phases {
            for pr in &phase.present {
                let set = &self.patterns[pr.set];
                let per_volley = match pr.encode {
                    Encode::DualRail => set.dim as f64,
                    Encode::Ones | Encode::Zeros => set.dim as f64,
                    Encode::OneHot => 1.0,
                    Encode::All => sizes[pr.stimulus] as f64,
                };
                let volleys = if pr.every > 0.0 {
                    ((pr.until - pr.at) / pr.every).ceil().max(1.0)
                } else {
                    1.0
                };
                total += per_volley * volleys * phase.trials as f64;
            }
        }
        total
    }
}
