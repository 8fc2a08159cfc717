//! Protocols: named pattern sets, phases of trials that present them to spike sources, and
//! readouts taken after each presentation. Validation turns a file's `[[pattern]]`,
//! `[[phase]]` and `[[readout]]` blocks into these; `compile` turns them into spike times.

use std::sync::Arc;

use rand::RngExt;

use crate::engine::rng::{Domain, choose_distinct, name_key, stream};
use crate::math::grid_code::GridCells;
use crate::math::gridworld::{Walk, World};
use crate::math::tem::{KeyMap, keys, path_integrate};

/// A named set of vectors (0/1 bits or ±1 signs), seeded by its name.
#[derive(Clone, Debug, PartialEq, Default)]
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
    /// Sets made from random walks: the walk of each episode (a new world each), all of the
    /// same length; item `e·len + t` is step t of episode e.
    pub walks: Option<Arc<Vec<Walk>>>,
    /// Grid-cell codes: the cells reading the path-integrated grid code.
    pub grid: Option<Arc<GridCells>>,
}

/// Moves a cover-timing walk may make after its recorded steps.
pub const COVER_LIMIT: usize = 10_000_000;

impl PatternSet {
    /// Items per episode (sets made from walks).
    pub fn episode_len(&self) -> Option<usize> {
        self.walks.as_ref().and_then(|w| w.first()).map(Walk::len)
    }

    /// Whether item k starts an episode.
    pub fn starts_episode(&self, k: usize) -> bool {
        self.episode_len().is_some_and(|n| k.is_multiple_of(n))
    }

    /// Random walks: `episodes` new `size × size` worlds (observations from `categories`), a
    /// walk of `steps` nodes in each; item = the one-hot observation at the step. World and
    /// walk of episode e come from the stream (seed, name, e).
    pub fn walks(
        seed: u64,
        name: &str,
        size: usize,
        categories: usize,
        episodes: usize,
        steps: usize,
    ) -> PatternSet {
        let key = name_key(name);
        let walks: Vec<Walk> = (0..episodes)
            .map(|e| {
                let mut rng = stream(seed, Domain::Protocol, key, e as u64);
                let world = World::random(size, categories, &mut rng);
                Walk::random(world, steps, COVER_LIMIT, &mut rng)
            })
            .collect();
        let items = walks
            .iter()
            .flat_map(|w| {
                (0..w.len()).map(move |t| {
                    let mut x = vec![0.0; categories];
                    x[w.observation(t)] = 1.0;
                    x
                })
            })
            .collect();
        PatternSet {
            name: name.to_string(),
            dim: categories,
            items,
            walks: Some(Arc::new(walks)),
            ..Default::default()
        }
    }

    /// The grid cells' firing (±1) at every step of the walks of `base`, from the code
    /// path-integrated along each walk.
    pub fn grid_code(name: &str, base: &PatternSet, base_index: usize, cells: GridCells) -> PatternSet {
        let walks = base.walks.clone().unwrap_or_default();
        let items = walks
            .iter()
            .flat_map(|w| keys(&path_integrate(&cells.modules, w), &cells, KeyMap::Cells))
            .collect();
        PatternSet {
            name: name.to_string(),
            signs: true,
            dim: cells.len(),
            items,
            base: Some(base_index),
            walks: Some(walks),
            grid: Some(Arc::new(cells)),
            ..Default::default()
        }
    }

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
            ..Default::default()
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
            flips: flips.to_vec(),
            ..Default::default()
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
    /// Neuron k fires, k the item's step within its episode (sets made from walks).
    OneHotInEpisode,
    All,
}

impl Encode {
    pub fn name(self) -> &'static str {
        match self {
            Encode::DualRail => "dual_rail",
            Encode::Ones => "ones",
            Encode::Zeros => "zeros",
            Encode::OneHot => "one_hot",
            Encode::OneHotInEpisode => "one_hot_in_episode",
            Encode::All => "all",
        }
    }

    /// The population size the encoding needs for vectors of `dim` components from a set of
    /// `count` items, `episode` items per episode (None: any size).
    pub fn size_for(self, dim: usize, count: usize, episode: Option<usize>) -> Option<usize> {
        match self {
            Encode::DualRail => Some(2 * dim),
            Encode::Ones | Encode::Zeros => Some(dim),
            Encode::OneHot => Some(count),
            Encode::OneHotInEpisode => Some(episode.unwrap_or(count)),
            Encode::All => None,
        }
    }

    /// The neurons that fire for `bits` (item `index`, or step `index` of an episode for
    /// `one_hot_in_episode`) in a population of `size`.
    pub fn neurons(self, bits: &[bool], index: usize, size: usize) -> Vec<usize> {
        match self {
            Encode::DualRail => bits
                .iter()
                .enumerate()
                .map(|(i, &b)| 2 * i + usize::from(b))
                .collect(),
            Encode::Ones => (0..bits.len()).filter(|&i| bits[i]).collect(),
            Encode::Zeros => (0..bits.len()).filter(|&i| !bits[i]).collect(),
            Encode::OneHot | Encode::OneHotInEpisode => vec![index],
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
    /// Projections whose weights go back to their initial values at the first trial of every
    /// episode of the phase's set (a new environment: the memory starts empty).
    pub reset_each_episode: Vec<usize>,
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
                    let bits = match pr.encode {
                        Encode::OneHot | Encode::OneHotInEpisode | Encode::All => Vec::new(),
                        _ => set.bits(item),
                    };
                    let index = match (pr.encode, set.episode_len()) {
                        (Encode::OneHotInEpisode, Some(n)) => item % n,
                        _ => item,
                    };
                    let neurons = pr.encode.neurons(&bits, index, lists.len());
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
                    Encode::OneHot | Encode::OneHotInEpisode => 1.0,
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
