//! `engram math tem ...`: the grid code, path integration and TEM's memories without a circuit.

use clap::{Args, Subcommand, ValueEnum};
use serde_json::{Value, json};

use crate::engine::rng::{Domain, name_key, stream};
use crate::math::grid_code::{GridCells, GridModules, closure_error};
use crate::math::gridworld::{Action, Walk, World, agent_predictions};
use crate::math::tem::{KeyMap, attention_scores, best, conjunctive_scores, keys, path_integrate};

#[derive(Subcommand)]
pub enum TemCommand {
    /// The grid code g(x) at a position, the modules' wave vectors and the action matrices' angles.
    Grid {
        #[command(flatten)]
        grid: GridArgs,
        #[arg(long, default_value_t = 0.0)]
        x: f64,
        #[arg(long, default_value_t = 0.0)]
        y: f64,
        #[arg(long)]
        json: bool,
    },
    /// Path integration of random moves, then their retrace: how far the code comes back from where it started.
    Closure {
        #[command(flatten)]
        grid: GridArgs,
        #[arg(long, default_value_t = 10_000)]
        steps: usize,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        #[arg(long)]
        json: bool,
    },
    /// Random walks in new grid worlds: cover times, and next-observation accuracy of TEM-t attention, TEM's conjunctive memory, the node and the edge agent.
    Walk {
        #[command(flatten)]
        grid: GridArgs,
        #[arg(long, default_value_t = 11)]
        size: usize,
        #[arg(long, default_value_t = 45)]
        categories: usize,
        /// Steps per walk.
        #[arg(long, default_value_t = 500)]
        steps: usize,
        #[arg(long, default_value_t = 5)]
        walks: usize,
        #[arg(long, default_value_t = 6)]
        cells_per_side: usize,
        #[arg(long, default_value_t = 0.5)]
        threshold: f64,
        /// β of softmax(β k_τᵀ k_t).
        #[arg(long, default_value_t = 0.5)]
        beta: f64,
        /// Keys: the grid cells' ±1 firing, or the code g itself.
        #[arg(long, value_enum, default_value_t = Keys::Cells)]
        keys: Keys,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Keys {
    Cells,
    Code,
}

/// The grid modules.
#[derive(Args)]
pub struct GridArgs {
    #[arg(long, default_value_t = 3)]
    modules: usize,
    /// Spacing of the first module.
    #[arg(long, default_value_t = 3.0)]
    scale: f64,
    /// Spacing ratio of successive modules.
    #[arg(long, default_value_t = 1.4)]
    ratio: f64,
    #[arg(long, default_value_t = 0.0)]
    orientation_deg: f64,
    /// Added per module.
    #[arg(long, default_value_t = 20.0)]
    rotation_deg: f64,
}

impl GridArgs {
    fn modules(&self) -> Result<GridModules, String> {
        let ok = (1..=100).contains(&self.modules)
            && self.scale > 1e-3
            && self.scale < 1e6
            && self.ratio > 1e-3
            && self.ratio < 1e3
            && self.orientation_deg.is_finite()
            && self.rotation_deg.is_finite();
        if !ok {
            return Err(
                "give 1 ≤ --modules ≤ 100, 10⁻³ < --scale < 10⁶, 10⁻³ < --ratio < 10³ and finite angles"
                    .into(),
            );
        }
        Ok(GridModules::new(
            self.modules,
            self.scale,
            self.ratio,
            self.orientation_deg.to_radians(),
            self.rotation_deg.to_radians(),
        ))
    }
}

fn print(value: &Value, json: bool, text: impl FnOnce()) {
    if json {
        outln!("{}", serde_json::to_string_pretty(value).unwrap_or_default());
    } else {
        text();
    }
}

pub fn run(cmd: TemCommand) -> Result<(), String> {
    match cmd {
        TemCommand::Grid { grid, x, y, json } => {
            let m = grid.modules()?;
            if !(x.is_finite() && y.is_finite()) {
                return Err("--x and --y must be finite".into());
            }
            let g = m.code([x, y]);
            let angles: Vec<Value> = Action::ALL
                .iter()
                .map(|a| {
                    let d = a.delta();
                    let w = m.action([d[0] as f64, d[1] as f64]);
                    json!({ "action": a.name(), "block_angles_rad": w.blocks.iter().map(|(c, s)| s.atan2(*c)).collect::<Vec<_>>() })
                })
                .collect();
            let v = json!({ "x": [x, y], "g": g, "spacings": m.spacings, "wave_vectors": m.waves, "actions": angles });
            print(&v, json, || {
                outln!(
                    "g({x}, {y}) over {} modules (spacings {:?}):",
                    m.modules(),
                    m.spacings
                );
                for (i, pair) in g.chunks(2).enumerate() {
                    outln!("  wave {i}: cos {:+.6}  sin {:+.6}", pair[0], pair[1]);
                }
            });
        }
        TemCommand::Closure {
            grid,
            steps,
            seed,
            json,
        } => {
            let m = grid.modules()?;
            if !(1..=10_000_000).contains(&steps) {
                return Err("give 1 ≤ --steps ≤ 10⁷".into());
            }
            let mut rng = stream(seed, Domain::Protocol, name_key("tem closure"), 0);
            let moves: Vec<[f64; 2]> = (0..steps)
                .map(|_| {
                    let d = Action::ALL[rand::RngExt::random_range(&mut rng, 0..4)].delta();
                    [d[0] as f64, d[1] as f64]
                })
                .collect();
            let (err, drift) = closure_error(&m, &m.code([0.0, 0.0]), &moves);
            let v =
                json!({ "steps": steps, "seed": seed, "closure_error": err, "drift_vs_direct_code": drift });
            print(&v, json, || {
                outln!(
                    "{steps} random moves and their retrace: closure error {err:.3e}; outward leg vs the code rotated directly: {drift:.3e}"
                );
            });
        }
        TemCommand::Walk {
            grid,
            size,
            categories,
            steps,
            walks,
            cells_per_side,
            threshold,
            beta,
            keys: key_map,
            seed,
            json,
        } => {
            let m = grid.modules()?;
            let ok = (2..=1000).contains(&size)
                && (1..=100_000).contains(&categories)
                && (2..=100_000).contains(&steps)
                && (1..=10_000).contains(&walks)
                && (1..=100).contains(&cells_per_side)
                && (-1.5..=3.0).contains(&threshold)
                && beta.is_finite();
            if !ok {
                return Err("give 2 ≤ --size ≤ 1000, 1 ≤ --categories ≤ 10⁵, 2 ≤ --steps ≤ 10⁵, 1 ≤ --walks ≤ 10⁴, 1 ≤ --cells-per-side ≤ 100, −1.5 ≤ --threshold ≤ 3 and a finite --beta".into());
            }
            let cells = GridCells::new(m, cells_per_side, threshold);
            let map = match key_map {
                Keys::Cells => KeyMap::Cells,
                Keys::Code => KeyMap::Code,
            };
            // [attention, conjunctive, node agent, edge agent] × (zero-shot hits, all hits)
            let mut hits = [[0usize; 2]; 4];
            let (mut zero_shot, mut all) = (0usize, 0usize);
            let (mut nodes, mut edges) = (Vec::new(), Vec::new());
            for w in 0..walks {
                let mut rng = stream(seed, Domain::Protocol, name_key("tem math walk"), w as u64);
                let world = World::random(size, categories, &mut rng);
                let walk = Walk::random(world, steps, crate::config::protocol::COVER_LIMIT, &mut rng);
                nodes.push(walk.steps_to_all_nodes);
                edges.push(walk.steps_to_all_edges);
                let codes = path_integrate(&cells.modules, &walk);
                let k = keys(&codes, &cells, map);
                let obs: Vec<usize> = (0..walk.len()).map(|t| walk.observation(t)).collect();
                let att = attention_scores(&k, &obs, categories, beta);
                let conj = conjunctive_scores(&codes, &obs, categories);
                let node = agent_predictions(&walk, false, &mut rng);
                let edge = agent_predictions(&walk, true, &mut rng);
                for (t, kind) in walk.novelty().into_iter().enumerate().skip(1) {
                    let right = [
                        best(att[t].as_deref().unwrap_or(&[])) == [obs[t]],
                        best(conj[t].as_deref().unwrap_or(&[])) == [obs[t]],
                        node[t] == Some(obs[t]),
                        edge[t] == Some(obs[t]),
                    ];
                    all += 1;
                    zero_shot += usize::from(kind.zero_shot());
                    for (h, r) in hits.iter_mut().zip(right) {
                        h[1] += usize::from(r);
                        h[0] += usize::from(r && kind.zero_shot());
                    }
                }
            }
            let mean = |v: &[Option<usize>]| {
                let got: Vec<f64> = v.iter().flatten().map(|x| *x as f64).collect();
                (got.len() == v.len()).then(|| got.iter().sum::<f64>() / got.len() as f64)
            };
            let frac = |h: usize, n: usize| h as f64 / n.max(1) as f64;
            let names = ["attention", "conjunctive", "node_agent", "edge_agent"];
            let mut v = json!({
                "walks": walks, "steps": steps, "size": size, "categories": categories, "beta": beta,
                "zero_shot_steps": zero_shot, "steps_predicted": all,
                "steps_to_all_nodes_mean": mean(&nodes), "steps_to_all_edges_mean": mean(&edges),
            });
            for (name, h) in names.iter().zip(hits) {
                v[format!("zero_shot_accuracy_{name}")] = json!(frac(h[0], zero_shot));
                v[format!("accuracy_{name}")] = json!(frac(h[1], all));
            }
            print(&v, json, || {
                outln!(
                    "{walks} walks of {steps} steps in new {size}×{size} worlds ({categories} categories), {zero_shot} zero-shot steps:"
                );
                for (name, h) in names.iter().zip(hits) {
                    outln!(
                        "  {name:<12} zero-shot {:.3}  all steps {:.3}",
                        frac(h[0], zero_shot),
                        frac(h[1], all)
                    );
                }
                outln!(
                    "  steps to visit every node {:.0}, to take every edge {:.0} (mean)",
                    mean(&nodes).unwrap_or(f64::NAN),
                    mean(&edges).unwrap_or(f64::NAN)
                );
            });
        }
    }
    Ok(())
}
