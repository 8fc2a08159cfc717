//! TEM and TEM-t memories of a walk (SCIENCE.md §4), without spikes. At every step the agent
//! path-integrates its grid code `g` and stores where and what; before storing it predicts what
//! it will see from the code of where it now is.
//!
//! - TEM-t (attention): keys from `g`, values the one-hot observations, causal softmax over the
//!   steps stored so far: `v̂ = Σ_τ softmax_τ(β k_τᵀ k_t) x_τ`.
//! - TEM (conjunctive): memories `p_τ = flatten(x_τ ⊗ g_τ)` stored in a Hebbian matrix
//!   `M = Σ p_τ p_τᵀ`; queried with `flatten(1 ⊗ g_t)`, the recalled conjunction projected on
//!   `g_t` gives `x̂_c = Σ_τ [x_τ = c] (g_τᵀ g_t)²`.
//!
//! Keys are either `g` itself or the grid cells' firing as ±1 (a thresholded linear readout of
//! `g`: what memory neurons downstream of grid cells see; `k_qᵀk_τ = 2A − D` for A cells agreeing
//! out of D).

use super::grid_code::{GridCells, GridModules};
use super::gridworld::Walk;

/// What the keys are made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyMap {
    /// `k = g`.
    Code,
    /// `k` = which grid cells fire, as ±1 (+1: fires).
    Cells,
}

/// The path-integrated code at every step of `walk`, starting from `g(start)`.
pub fn path_integrate(modules: &GridModules, walk: &Walk) -> Vec<Vec<f64>> {
    let actions: Vec<_> = crate::math::gridworld::Action::ALL
        .iter()
        .map(|a| {
            let d = a.delta();
            modules.action([d[0] as f64, d[1] as f64])
        })
        .collect();
    let start = walk.world.position(walk.nodes[0]);
    let mut g = modules.code([start[0] as f64, start[1] as f64]);
    let mut out = Vec::with_capacity(walk.len());
    out.push(g.clone());
    for a in &walk.actions {
        actions[a.index()].apply(&mut g);
        out.push(g.clone());
    }
    out
}

/// Keys of every step.
pub fn keys(codes: &[Vec<f64>], cells: &GridCells, map: KeyMap) -> Vec<Vec<f64>> {
    codes
        .iter()
        .map(|g| match map {
            KeyMap::Code => g.clone(),
            KeyMap::Cells => cells
                .firing(g)
                .into_iter()
                .map(|f| if f { 1.0 } else { -1.0 })
                .collect(),
        })
        .collect()
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// TEM-t: per step t ≥ 1, the attention weight of each category, `Σ_τ<t softmax(β k_τᵀk_t)
/// [x_τ = c]` (step 0 has nothing stored: None).
pub fn attention_scores(
    keys: &[Vec<f64>],
    observations: &[usize],
    categories: usize,
    beta: f64,
) -> Vec<Option<Vec<f64>>> {
    (0..keys.len())
        .map(|t| {
            if t == 0 {
                return None;
            }
            let s: Vec<f64> = (0..t).map(|tau| beta * dot(&keys[tau], &keys[t])).collect();
            let top = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let e: Vec<f64> = s.iter().map(|v| (v - top).exp()).collect();
            let z: f64 = e.iter().sum();
            let mut out = vec![0.0; categories];
            for (tau, w) in e.iter().enumerate() {
                out[observations[tau]] += w / z;
            }
            Some(out)
        })
        .collect()
}

/// TEM's conjunctive memory: per step t ≥ 1, `x̂_c = Σ_τ<t [x_τ = c] (g_τᵀ g_t)²`.
pub fn conjunctive_scores(
    codes: &[Vec<f64>],
    observations: &[usize],
    categories: usize,
) -> Vec<Option<Vec<f64>>> {
    (0..codes.len())
        .map(|t| {
            (t > 0).then(|| {
                let mut out = vec![0.0; categories];
                for tau in 0..t {
                    out[observations[tau]] += dot(&codes[tau], &codes[t]).powi(2);
                }
                out
            })
        })
        .collect()
}

/// The categories whose score is within a relative `1e-9` of the best (ties of the math), or
/// none when every score is 0.
pub fn best(scores: &[f64]) -> Vec<usize> {
    let top = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if top.is_nan() || top <= 0.0 {
        return Vec::new();
    }
    (0..scores.len())
        .filter(|&c| scores[c] >= top * (1.0 - 1e-9))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::gridworld::World;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn path_integration_matches_the_code_of_each_position() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let walk = Walk::random(World::random(11, 45, &mut rng), 5000, 0, &mut rng);
        let m = GridModules::new(3, 3.0, 1.4, 0.1, 0.3);
        let codes = path_integrate(&m, &walk);
        for (t, g) in codes.iter().enumerate() {
            let p = walk.world.position(walk.nodes[t]);
            let direct = m.code([p[0] as f64, p[1] as f64]);
            assert!(crate::math::grid_code::max_abs_diff(g, &direct) < 1e-11);
        }
    }

    #[test]
    fn attention_at_large_beta_recalls_a_visited_node_exactly() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        let walk = Walk::random(World::random(7, 20, &mut rng), 400, 0, &mut rng);
        let m = GridModules::new(3, 3.0, 1.4, 0.1, 0.3);
        let codes = path_integrate(&m, &walk);
        let obs: Vec<usize> = (0..walk.len()).map(|t| walk.observation(t)).collect();
        let scores = attention_scores(&codes, &obs, 20, 50.0);
        for (t, kind) in walk.novelty().iter().enumerate() {
            if kind.node_known {
                assert_eq!(best(scores[t].as_ref().unwrap()), vec![obs[t]], "step {t}");
            }
        }
    }
}
