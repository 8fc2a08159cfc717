//! `model = "tem"`: a circuit that predicts, at every step of random walks in new grid worlds,
//! what it will see — against TEM-t attention over the same walks (keys: the grid cells' ±1
//! code, values: the observations, causal softmax), TEM's conjunctive memory, a node agent
//! (right once the node has been visited) and an edge agent (right once the move has been made).
//! Zero-shot steps reach a visited node by a move never made: only a map predicts them.
//! Also the closure error of path integration, the cover times of the walks, the spacing of the
//! grid cells' fields measured from their spikes, and the memory neurons' place fields.

mod figures;

use std::path::Path;

use rand::RngExt;
use serde_json::{Value, json};

use super::{Comparison, Key, KeyKind, Keys, Outcome, Spec};
use crate::config::protocol::ReadoutKind;
use crate::engine::rng::{Domain, name_key, stream};
use crate::experiment::simulate::RunResult;
use crate::math::grid_code::{GridCells, closure_error};
use crate::math::gridworld::{Action, StepKind, agent_predictions};
use crate::math::tem::{attention_scores, best, conjunctive_scores, path_integrate};

pub static COMPARISON: Comparison = Comparison {
    name: "tem",
    summary: "next-observation predictions on walks vs TEM-t attention, TEM's conjunctive memory, node and edge agents; zero-shot accuracy, closure error, grid spacing, place fields",
    keys: &[
        Key::new(
            "walk",
            KeyKind::Pattern,
            true,
            "the walks (a `kind = \"walk\"` set)",
        ),
        Key::new(
            "keys",
            KeyKind::Pattern,
            true,
            "the grid cells' code along the walks (a `kind = \"grid_code\"` set of the walk)",
        ),
        Key::new(
            "reads",
            KeyKind::Phase,
            true,
            "the phase stepping through the walks",
        ),
        Key::new(
            "beta",
            KeyKind::Number,
            true,
            "β of softmax(β k_τᵀ k_t) over ±1 keys",
        ),
        Key::new(
            "closure_steps",
            KeyKind::Number,
            false,
            "random steps before the retrace of the closure test (default 10⁴)",
        ),
        Key::new(
            "bin_steps",
            KeyKind::Number,
            false,
            "steps per point of the accuracy curves (default 25)",
        ),
        Key::new(
            "prediction",
            KeyKind::Readout(ReadoutKind::MembraneChange),
            true,
            "one neuron per category; the prediction is the one that rises most",
        ),
        Key::new(
            "memory",
            KeyKind::Readout(ReadoutKind::Counts),
            false,
            "memory neurons' spike counts, one neuron per step of an episode (place fields)",
        ),
        Key::new(
            "grid",
            KeyKind::Readout(ReadoutKind::Counts),
            false,
            "the grid cells' spikes at each step, one or two (dual rail) neurons per cell (rate maps)",
        ),
    ],
    check,
};

struct TemSpec {
    walk: usize,
    keys: usize,
    reads: usize,
    beta: f64,
    closure_steps: usize,
    bin_steps: usize,
    prediction: usize,
    memory: Option<usize>,
    grid: Option<usize>,
}

fn check(k: &mut Keys) -> Option<Box<dyn Spec>> {
    let (walk, keys, reads, beta) = (
        k.pattern("walk"),
        k.pattern("keys"),
        k.phase("reads"),
        k.number("beta"),
    );
    let closure = k.count_or("closure_steps", 10_000, 10_000_000);
    let bin = k.count_or("bin_steps", 25, 1_000_000);
    let (walk, keys, reads, beta, closure, bin) = (walk?, keys?, reads?, beta?, closure?, bin?);
    let c = k.circuit;
    let (w, g) = (&c.protocol.patterns[walk], &c.protocol.patterns[keys]);
    if w.walks.is_none() || w.grid.is_some() {
        k.error(
            "walk",
            format!("`{}` is not a walk set", w.name),
            "name a `kind = \"walk\"` set",
        );
        return None;
    }
    if g.grid.is_none() || g.base != Some(walk) {
        k.error(
            "keys",
            format!("`{}` is not the grid code of `{}`", g.name, w.name),
            format!("name a `kind = \"grid_code\"` set with of = \"{}\"", w.name),
        );
        return None;
    }
    let phase_set = c.protocol.phases[reads].set;
    if phase_set != walk && phase_set != keys {
        k.error(
            "reads",
            format!(
                "phase `{}` does not step through `{}`",
                c.protocol.phases[reads].name, w.name
            ),
            format!("read a phase with each = \"{}\"", w.name),
        );
        return None;
    }
    let prediction = k.readout("prediction", &[reads])?;
    let size_of = |r: usize| c.network.populations[c.protocol.readouts[r].population].size;
    if size_of(prediction) != w.dim {
        k.error(
            "readouts",
            format!(
                "`prediction` reads {} neurons; there are {} categories",
                size_of(prediction),
                w.dim
            ),
            "one neuron per category",
        );
        return None;
    }
    let memory = if k.table.get("readouts").and_then(|t| t.get("memory")).is_some() {
        let m = k.readout("memory", &[reads])?;
        let steps = w.episode_len().unwrap_or(0);
        if size_of(m) != steps {
            k.error(
                "readouts",
                format!(
                    "`memory` reads {} neurons; an episode has {steps} steps",
                    size_of(m)
                ),
                "one memory neuron per step",
            );
            return None;
        }
        Some(m)
    } else {
        None
    };
    let grid = if k.table.get("readouts").and_then(|t| t.get("grid")).is_some() {
        let m = k.readout("grid", &[reads])?;
        if size_of(m) != g.dim && size_of(m) != 2 * g.dim {
            k.error(
                "readouts",
                format!(
                    "`grid` reads {} neurons; there are {} grid cells",
                    size_of(m),
                    g.dim
                ),
                "one neuron per cell (ones) or two (dual_rail)",
            );
            return None;
        }
        Some(m)
    } else {
        None
    };
    Some(Box::new(TemSpec {
        walk,
        keys,
        reads,
        beta,
        closure_steps: closure as usize,
        bin_steps: bin as usize,
        prediction,
        memory,
        grid,
    }))
}

/// One step of one walk, as every predictor saw it.
#[derive(Clone, Debug)]
pub struct StepResult {
    pub episode: usize,
    pub t: usize,
    pub node: usize,
    pub truth: usize,
    pub kind: StepKind,
    /// The circuit's prediction (None: no integrator rose, or a tie).
    pub circuit: Option<usize>,
    /// Spikes of the memory neurons in the window (when read).
    pub memory_spikes: f64,
    /// TEM-t attention's best categories (several on an exact tie).
    pub attention: Vec<usize>,
    pub conjunctive: Vec<usize>,
    pub node_agent: Option<usize>,
    pub edge_agent: Option<usize>,
}

impl StepResult {
    fn circuit_right(&self) -> bool {
        self.circuit == Some(self.truth)
    }
    fn attention_right(&self) -> bool {
        self.attention == [self.truth]
    }
    fn conjunctive_right(&self) -> bool {
        self.conjunctive == [self.truth]
    }
    fn agrees(&self) -> bool {
        self.circuit.is_some_and(|c| self.attention.contains(&c))
    }
}

/// Accuracy of one predictor over a set of steps, with its count.
#[derive(Clone, Copy, Debug, Default)]
pub struct Rate {
    pub hits: usize,
    pub steps: usize,
}

impl Rate {
    fn of<'a>(steps: impl Iterator<Item = &'a StepResult>, right: impl Fn(&StepResult) -> bool) -> Rate {
        let mut r = Rate::default();
        for s in steps {
            r.steps += 1;
            r.hits += usize::from(right(s));
        }
        r
    }
    pub fn value(self) -> f64 {
        if self.steps == 0 {
            f64::NAN
        } else {
            self.hits as f64 / self.steps as f64
        }
    }
}

/// Rate maps of one population over the world's nodes: spikes per visit.
#[derive(Clone, Debug)]
pub struct RateMap {
    pub label: String,
    pub side: usize,
    pub values: Vec<f64>,
}

pub struct TemOutcome {
    pub steps: Vec<StepResult>,
    pub categories: usize,
    pub size: usize,
    pub bin_steps: usize,
    pub closure_error: f64,
    pub closure_drift: f64,
    pub closure_steps: usize,
    pub cover_nodes: Vec<Option<usize>>,
    pub cover_edges: Vec<Option<usize>>,
    /// Per module: configured spacing, spacing measured from the grid cells' spikes.
    pub spacings: Vec<(f64, Option<f64>)>,
    pub grid_maps: Vec<RateMap>,
    pub place_maps: Vec<RateMap>,
    /// Memory neurons with at least 5 spikes in their episode; of them, with one field; and
    /// with the peak at the node where they were stored.
    pub place_cells: (usize, usize, usize),
    /// The walk's first steps, for the raster: (t0, t1).
    pub raster_window: (f64, f64),
}

impl TemSpec {
    fn rate_maps_of(
        &self,
        run: &RunResult,
        readout: usize,
        walks: &[crate::math::gridworld::Walk],
        episode: usize,
        neuron_of: &dyn Fn(usize) -> usize,
        count: usize,
    ) -> Option<Vec<Vec<f64>>> {
        let c = &run.circuit;
        let data = run
            .readout(&c.protocol.readouts[readout].name)
            .and_then(|r| r.in_phase(self.reads))?;
        let walk = &walks[episode];
        let len = walk.len();
        let nodes = walk.world.nodes();
        let mut sums = vec![vec![0.0; nodes]; count];
        let mut visits = vec![0.0; nodes];
        for t in 0..len {
            let trial = episode * len + t;
            let v = &data.get(trial)?.first()?.vector;
            visits[walk.nodes[t]] += 1.0;
            for (j, s) in sums.iter_mut().enumerate() {
                s[walk.nodes[t]] += v[neuron_of(j)];
            }
        }
        Some(
            sums.into_iter()
                .map(|s| {
                    s.iter()
                        .zip(&visits)
                        .map(|(a, n)| if *n > 0.0 { a / n } else { f64::NAN })
                        .collect()
                })
                .collect(),
        )
    }
}

/// The spacing of a module's fields from rate maps (spikes per visit on a size × size grid):
/// the wave number |k| with the most power, averaged over the cells' spectra, searched over
/// directions and |k| (spacing from 1.5 nodes to the world's size); spacing = 4π/(√3|k|).
pub fn measured_spacing(maps: &[Vec<f64>], size: usize) -> Option<f64> {
    let (k_lo, k_hi) = (
        4.0 * std::f64::consts::PI / (3f64.sqrt() * size as f64),
        4.0 * std::f64::consts::PI / (3f64.sqrt() * 1.5),
    );
    let (n_k, n_a) = (200, 90);
    // Each cell's map less its mean over the visited nodes.
    let centred: Vec<Vec<(usize, f64)>> = maps
        .iter()
        .filter_map(|m| {
            let visited: Vec<usize> = (0..size * size).filter(|&i| m[i].is_finite()).collect();
            if visited.len() < 4 {
                return None;
            }
            let mean = visited.iter().map(|&i| m[i]).sum::<f64>() / visited.len() as f64;
            Some(visited.iter().map(|&i| (i, m[i] - mean)).collect())
        })
        .collect();
    if centred.is_empty() {
        return None;
    }
    let mut power = vec![0.0; n_k];
    let mut basis = vec![(0.0, 0.0); size * size];
    let mut best = vec![0.0f64; centred.len()];
    for (ik, p) in power.iter_mut().enumerate() {
        let k = k_lo + (k_hi - k_lo) * ik as f64 / (n_k - 1) as f64;
        best.iter_mut().for_each(|b| *b = 0.0);
        for ia in 0..n_a {
            let a = std::f64::consts::PI * ia as f64 / n_a as f64;
            let (kx, ky) = (k * a.cos(), k * a.sin());
            for (i, b) in basis.iter_mut().enumerate() {
                let ph = kx * (i % size) as f64 + ky * (i / size) as f64;
                *b = (ph.cos(), ph.sin());
            }
            for (cell, b) in centred.iter().zip(best.iter_mut()) {
                let (mut re, mut im) = (0.0, 0.0);
                for &(i, v) in cell {
                    re += v * basis[i].0;
                    im += v * basis[i].1;
                }
                *b = b.max(re * re + im * im);
            }
        }
        *p = best.iter().sum();
    }
    let ik = (0..n_k).max_by(|&a, &b| power[a].total_cmp(&power[b]))?;
    let k = k_lo + (k_hi - k_lo) * ik as f64 / (n_k - 1) as f64;
    Some(4.0 * std::f64::consts::PI / (3f64.sqrt() * k))
}

/// Fields of a rate map: groups of neighbouring visited nodes (4-neighbours) at or above half
/// the map's peak.
pub fn fields(map: &[f64], size: usize) -> usize {
    let peak = map.iter().copied().filter(|v| v.is_finite()).fold(0.0, f64::max);
    if peak <= 0.0 {
        return 0;
    }
    let inside: Vec<bool> = map.iter().map(|v| v.is_finite() && *v >= 0.5 * peak).collect();
    let mut seen = vec![false; map.len()];
    let mut count = 0;
    for start in 0..map.len() {
        if !inside[start] || seen[start] {
            continue;
        }
        count += 1;
        let mut stack = vec![start];
        seen[start] = true;
        while let Some(i) = stack.pop() {
            let (x, y) = (i % size, i / size);
            let mut push = |j: usize| {
                if inside[j] && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            };
            if x > 0 {
                push(i - 1);
            }
            if x + 1 < size {
                push(i + 1);
            }
            if y > 0 {
                push(i - size);
            }
            if y + 1 < size {
                push(i + size);
            }
        }
    }
    count
}

fn unique_argmax(v: &[f64]) -> Option<usize> {
    let top = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if top.is_nan() || top <= 0.0 {
        return None;
    }
    let mut at = v.iter().enumerate().filter(|(_, x)| **x == top).map(|(i, _)| i);
    let first = at.next();
    if at.next().is_some() { None } else { first }
}

impl Spec for TemSpec {
    fn compare(&self, run: &RunResult) -> Result<Box<dyn Outcome>, String> {
        let c = &run.circuit;
        let wset = &c.protocol.patterns[self.walk];
        let gset = &c.protocol.patterns[self.keys];
        let walks = wset.walks.as_ref().ok_or("walks missing")?;
        let cells: &GridCells = gset.grid.as_ref().ok_or("grid cells missing")?;
        let len = wset.episode_len().unwrap_or(0);
        let categories = wset.dim;
        let pred = run
            .readout(&c.protocol.readouts[self.prediction].name)
            .and_then(|r| r.in_phase(self.reads))
            .ok_or("prediction readout missing")?;
        let memory = self.memory.and_then(|m| {
            run.readout(&c.protocol.readouts[m].name)
                .and_then(|r| r.in_phase(self.reads))
        });
        let seed = c.network.seed;
        let mut steps = Vec::new();
        for (e, walk) in walks.iter().enumerate() {
            let keys: Vec<Vec<f64>> = (0..len).map(|t| gset.items[e * len + t].clone()).collect();
            let obs: Vec<usize> = (0..len).map(|t| walk.observation(t)).collect();
            let attention = attention_scores(&keys, &obs, categories, self.beta);
            let codes = path_integrate(&cells.modules, walk);
            let conjunctive = conjunctive_scores(&codes, &obs, categories);
            let mut rng_node = stream(seed, Domain::Protocol, name_key("tem node agent"), e as u64);
            let mut rng_edge = stream(seed, Domain::Protocol, name_key("tem edge agent"), e as u64);
            let node_agent = agent_predictions(walk, false, &mut rng_node);
            let edge_agent = agent_predictions(walk, true, &mut rng_edge);
            for (t, kind) in walk.novelty().into_iter().enumerate().skip(1) {
                let trial = e * len + t;
                let v = &pred
                    .get(trial)
                    .and_then(|p| p.first())
                    .ok_or("prediction readout short")?
                    .vector;
                steps.push(StepResult {
                    episode: e,
                    t,
                    node: walk.nodes[t],
                    truth: obs[t],
                    kind,
                    circuit: unique_argmax(v),
                    memory_spikes: memory
                        .and_then(|m| m.get(trial))
                        .and_then(|p| p.first())
                        .map_or(f64::NAN, |x| x.vector.iter().sum()),
                    attention: best(attention[t].as_deref().unwrap_or(&[])),
                    conjunctive: best(conjunctive[t].as_deref().unwrap_or(&[])),
                    node_agent: node_agent[t],
                    edge_agent: edge_agent[t],
                });
            }
        }
        // Closure: random moves on the open plane, then the same moves undone.
        let mut rng = stream(seed, Domain::Protocol, name_key("tem closure"), 0);
        let moves: Vec<[f64; 2]> = (0..self.closure_steps)
            .map(|_| {
                let d = Action::ALL[rng.random_range(0..4)].delta();
                [d[0] as f64, d[1] as f64]
            })
            .collect();
        let g0 = cells.modules.code([0.0, 0.0]);
        let (closure, drift) = closure_error(&cells.modules, &g0, &moves);
        // Rate maps, episode 0.
        let size = walks[0].world.size;
        let mut spacings: Vec<(f64, Option<f64>)> =
            cells.modules.spacings.iter().map(|s| (*s, None)).collect();
        let mut grid_maps = Vec::new();
        if let Some(g) = self.grid {
            let n_pop = c.network.populations[c.protocol.readouts[g].population].size;
            let dual = n_pop == 2 * cells.len();
            let per_module = cells.len() / cells.modules.modules();
            let neuron_of = move |j: usize| if dual { 2 * j + 1 } else { j };
            let per_walk: Vec<Vec<Vec<f64>>> = (0..walks.len())
                .map(|e| self.rate_maps_of(run, g, walks, e, &neuron_of, cells.len()))
                .collect::<Option<_>>()
                .ok_or("grid readout short")?;
            // Spacing from every walk (the same cells): each node's mean over the walks that
            // visited it.
            let mean: Vec<Vec<f64>> = (0..cells.len())
                .map(|j| {
                    (0..size * size)
                        .map(|x| {
                            let seen: Vec<f64> = per_walk
                                .iter()
                                .map(|m| m[j][x])
                                .filter(|v| v.is_finite())
                                .collect();
                            if seen.is_empty() {
                                f64::NAN
                            } else {
                                seen.iter().sum::<f64>() / seen.len() as f64
                            }
                        })
                        .collect()
                })
                .collect();
            for (m, sp) in spacings.iter_mut().enumerate() {
                sp.1 = measured_spacing(&mean[m * per_module..(m + 1) * per_module], size);
                // The plot shows the first walk, as its title says.
                grid_maps.push(RateMap {
                    label: format!("module {} (spacing {:.2}), cell {}", m + 1, sp.0, m * per_module),
                    side: size,
                    values: per_walk[0][m * per_module].clone(),
                });
            }
        }
        let mut place_maps = Vec::new();
        let mut place_cells = (0, 0, 0);
        if let Some(m) = self.memory {
            for (e, walk) in walks.iter().enumerate() {
                let maps = self
                    .rate_maps_of(run, m, walks, e, &|j| j, len)
                    .ok_or("memory readout short")?;
                for (j, map) in maps.iter().enumerate() {
                    let total = memory_spikes_of(run, m, self.reads, e, len, j);
                    if total < 5.0 {
                        continue;
                    }
                    place_cells.0 += 1;
                    if fields(map, size) == 1 {
                        place_cells.1 += 1;
                    }
                    let peak = (0..map.len())
                        .filter(|&i| map[i].is_finite())
                        .max_by(|&a, &b| map[a].total_cmp(&map[b]));
                    if peak == Some(walk.nodes[j]) {
                        place_cells.2 += 1;
                    }
                    if e == 0 && place_maps.len() < 6 && j % 50 == 10 {
                        place_maps.push(RateMap {
                            label: format!("memory neuron {j} (stored at step {j})"),
                            side: size,
                            values: map.clone(),
                        });
                    }
                }
            }
        }
        let ph = &c.protocol.phases[self.reads];
        Ok(Box::new(TemOutcome {
            steps,
            categories,
            size,
            bin_steps: self.bin_steps,
            closure_error: closure,
            closure_drift: drift,
            closure_steps: self.closure_steps,
            cover_nodes: walks.iter().map(|w| w.steps_to_all_nodes).collect(),
            cover_edges: walks.iter().map(|w| w.steps_to_all_edges).collect(),
            spacings,
            grid_maps,
            place_maps,
            place_cells,
            raster_window: (ph.time(0, 0), ph.time(8.min(ph.trials), 0)),
        }))
    }
}

fn memory_spikes_of(
    run: &RunResult,
    readout: usize,
    phase: usize,
    episode: usize,
    len: usize,
    neuron: usize,
) -> f64 {
    let c = &run.circuit;
    run.readout(&c.protocol.readouts[readout].name)
        .and_then(|r| r.in_phase(phase))
        .map_or(0.0, |d| {
            (0..len)
                .filter_map(|t| d.get(episode * len + t).and_then(|p| p.first()))
                .map(|v| v.vector[neuron])
                .sum()
        })
}

fn mean(v: &[Option<usize>]) -> Option<f64> {
    let got: Vec<f64> = v.iter().flatten().map(|x| *x as f64).collect();
    (got.len() == v.len() && !got.is_empty()).then(|| got.iter().sum::<f64>() / got.len() as f64)
}

impl TemOutcome {
    fn memory_spikes_mean(&self, pick: &dyn Fn(&StepResult) -> bool) -> Option<f64> {
        let v: Vec<f64> = self
            .steps
            .iter()
            .filter(|s| pick(s))
            .map(|s| s.memory_spikes)
            .filter(|x| x.is_finite())
            .collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    }

    pub fn rates(&self, pick: &dyn Fn(&StepResult) -> bool) -> [Rate; 5] {
        let sel = || self.steps.iter().filter(|s| pick(s));
        [
            Rate::of(sel(), StepResult::circuit_right),
            Rate::of(sel(), StepResult::attention_right),
            Rate::of(sel(), StepResult::conjunctive_right),
            Rate::of(sel(), |s| s.node_agent == Some(s.truth)),
            Rate::of(sel(), |s| s.edge_agent == Some(s.truth)),
        ]
    }

    pub fn agreement(&self) -> Rate {
        Rate::of(self.steps.iter(), StepResult::agrees)
    }

    /// Accuracy against step (averaged over episodes), in bins: (step, circuit, attention,
    /// node agent, edge agent).
    pub fn curves(&self) -> Vec<(f64, [f64; 4])> {
        let last = self.steps.iter().map(|s| s.t).max().unwrap_or(0);
        let mut out = Vec::new();
        let mut lo = 1;
        while lo <= last {
            let hi = lo + self.bin_steps;
            let sel: Vec<&StepResult> = self.steps.iter().filter(|s| s.t >= lo && s.t < hi).collect();
            let f = |right: &dyn Fn(&StepResult) -> bool| {
                sel.iter().filter(|s| right(s)).count() as f64 / sel.len().max(1) as f64
            };
            out.push((
                0.5 * (lo + hi - 1) as f64,
                [
                    f(&StepResult::circuit_right),
                    f(&StepResult::attention_right),
                    f(&|s| s.node_agent == Some(s.truth)),
                    f(&|s| s.edge_agent == Some(s.truth)),
                ],
            ));
            lo = hi;
        }
        out
    }

    /// Mean and largest |circuit − node agent| over the curve's bins.
    pub fn tracking(&self) -> (f64, f64) {
        let c = self.curves();
        let d: Vec<f64> = c.iter().map(|(_, v)| (v[0] - v[2]).abs()).collect();
        (
            d.iter().sum::<f64>() / d.len().max(1) as f64,
            d.iter().copied().fold(0.0, f64::max),
        )
    }

    /// Chance (1/categories) and the two-sided 99 % binomial range of the hits of `n` guesses.
    fn chance_range(&self, n: usize) -> (f64, f64, f64) {
        let p = 1.0 / self.categories as f64;
        let sd = (n as f64 * p * (1.0 - p)).sqrt();
        let n = n.max(1) as f64;
        (p, (n * p - 2.576 * sd).max(0.0) / n, (n * p + 2.576 * sd) / n)
    }
}

impl Outcome for TemOutcome {
    fn metrics(&self) -> Value {
        let [zc, za, zj, zn, ze] = self.rates(&|s| s.kind.zero_shot());
        let [ac, aa, aj, an, ae] = self.rates(&|_| true);
        let [nc, na, _, _, _] = self.rates(&|s| !s.kind.node_known);
        let agree = self.agreement();
        let agree_novel = Rate::of(
            self.steps.iter().filter(|s| !s.kind.node_known),
            StepResult::agrees,
        );
        let silent = self.steps.iter().filter(|s| s.circuit.is_none()).count();
        let (chance, lo, hi) = self.chance_range(zc.steps);
        let (track_mean, track_max) = self.tracking();
        json!({
            "zero_shot_accuracy_circuit": zc.value(),
            "zero_shot_accuracy_attention": za.value(),
            "zero_shot_accuracy_conjunctive": zj.value(),
            "zero_shot_accuracy_node_agent": zn.value(),
            "zero_shot_accuracy_edge_agent": ze.value(),
            "zero_shot_steps": zc.steps,
            "chance": chance,
            "chance_99_range": [lo, hi],
            "accuracy_circuit": ac.value(),
            "accuracy_attention": aa.value(),
            "accuracy_conjunctive": aj.value(),
            "accuracy_node_agent": an.value(),
            "accuracy_edge_agent": ae.value(),
            "accuracy_new_node_circuit": nc.value(),
            "accuracy_new_node_attention": na.value(),
            "steps": ac.steps,
            "new_node_steps": nc.steps,
            "agreement_with_attention": agree.value(),
            "agreement_with_attention_new_nodes": agree_novel.value(),
            "steps_without_prediction": silent,
            "circuit_minus_node_agent_mean_abs": track_mean,
            "circuit_minus_node_agent_max_abs": track_max,
            "bin_steps": self.bin_steps,
            "closure_error": self.closure_error,
            "closure_drift_vs_direct_code": self.closure_drift,
            "closure_steps": self.closure_steps,
            "steps_to_all_nodes_mean": mean(&self.cover_nodes),
            "steps_to_all_edges_mean": mean(&self.cover_edges),
            "steps_to_all_nodes": self.cover_nodes,
            "steps_to_all_edges": self.cover_edges,
            "grid_spacing_configured": self.spacings.iter().map(|s| s.0).collect::<Vec<_>>(),
            "grid_spacing_measured": self.spacings.iter().map(|s| s.1).collect::<Vec<_>>(),
            "memory_neurons_with_5_spikes": self.place_cells.0,
            "memory_neurons_with_one_field": self.place_cells.1,
            "memory_neurons_peaking_where_stored": self.place_cells.2,
            "memory_spikes_per_step_mean": self.memory_spikes_mean(&|_| true),
            "memory_spikes_per_step_new_nodes_mean": self.memory_spikes_mean(&|s| !s.kind.node_known),
        })
    }

    fn scalars(&self) -> Vec<(String, f64)> {
        let [zc, za, _, zn, ze] = self.rates(&|s| s.kind.zero_shot());
        let [ac, aa, _, an, _] = self.rates(&|_| true);
        vec![
            ("zero_shot_accuracy_circuit".into(), zc.value()),
            ("zero_shot_accuracy_attention".into(), za.value()),
            ("zero_shot_accuracy_node_agent".into(), zn.value()),
            ("zero_shot_accuracy_edge_agent".into(), ze.value()),
            ("accuracy_circuit".into(), ac.value()),
            ("accuracy_attention".into(), aa.value()),
            ("accuracy_node_agent".into(), an.value()),
            ("agreement_with_attention".into(), self.agreement().value()),
            ("closure_error".into(), self.closure_error),
            (
                "steps_to_all_nodes_mean".into(),
                mean(&self.cover_nodes).unwrap_or(f64::NAN),
            ),
            (
                "steps_to_all_edges_mean".into(),
                mean(&self.cover_edges).unwrap_or(f64::NAN),
            ),
        ]
    }

    fn headline(&self) -> String {
        let [zc, _, _, _, ze] = self.rates(&|s| s.kind.zero_shot());
        format!(
            "TEM: zero-shot accuracy circuit {:.3} vs edge agent {:.3} ({} steps, chance {:.3}); agreement with attention {:.3}; closure error {:.1e}",
            zc.value(),
            ze.value(),
            zc.steps,
            1.0 / self.categories as f64,
            self.agreement().value(),
            self.closure_error
        )
    }

    fn report(&self) -> String {
        figures::report(self)
    }

    fn figures(&self, dir: &Path, run: &RunResult) -> Result<(), String> {
        figures::draw(self, dir, run)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_bump_is_one_field_and_two_bumps_are_two() {
        let mut m = vec![0.0; 25];
        m[6] = 1.0;
        m[7] = 0.6;
        assert_eq!(fields(&m, 5), 1);
        m[18] = 0.9;
        assert_eq!(fields(&m, 5), 2);
        m[12] = f64::NAN;
        assert_eq!(fields(&m, 5), 2);
    }

    #[test]
    fn the_spacing_of_sampled_hexagonal_fields_is_recovered() {
        let modules = crate::math::grid_code::GridModules::new(1, 4.2, 1.0, 0.3, 0.0);
        let cells = GridCells::new(modules.clone(), 4, 0.5);
        let size = 15;
        let maps: Vec<Vec<f64>> = (0..cells.len())
            .map(|j| {
                (0..size * size)
                    .map(|i| {
                        let g = modules.code([(i % size) as f64, (i / size) as f64]);
                        f64::from(u8::from(cells.firing(&g)[j]))
                    })
                    .collect()
            })
            .collect();
        let s = measured_spacing(&maps, size).unwrap();
        assert!((s - 4.2).abs() < 0.15, "{s}");
    }
}
