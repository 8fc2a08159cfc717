//! The medial-entorhinal grid code (SCIENCE.md §4). A module of spacing λ and orientation θ has
//! three plane waves 60° apart, wave vectors `k_i = 4π/(√3 λ)·(cos(θ + i·60°), sin(θ + i·60°))`,
//! so `Σ_i cos(k_i·x)` peaks on a hexagonal lattice of spacing λ. The code of position `x` is
//! `g(x) = [cos(k_i·x), sin(k_i·x)]` over every wave of every module; module scales grow
//! geometrically (`λ_m = scale·ratio^m`).
//!
//! Path integration: an action moving `x` by `Δ` maps `g` to `W g`, with `W` block-diagonal
//! 2×2 rotations by `k_i·Δ`. The rotation of the opposite action turns by `−k_i·Δ`, whose
//! cosine and sine are exactly the cosine and minus the sine, so `W_S = W_Nᵀ = W_N⁻¹` exactly.
//!
//! Grid cells read the code linearly: a cell of phase `c` in a module responds
//! `r(x) = Σ_i cos(k_i·(x − c)) = Σ_i cos(k_i·c) cos(k_i·x) + sin(k_i·c) sin(k_i·x)`, a dot
//! product with `g`, and fires where `r` exceeds a threshold — a hexagonal field.

use std::f64::consts::PI;

use nalgebra::DMatrix;

/// Grid modules: `modules` modules of three waves each.
#[derive(Clone, Debug, PartialEq)]
pub struct GridModules {
    /// Wave vectors, module by module (three per module).
    pub waves: Vec<[f64; 2]>,
    /// Spacing of each module.
    pub spacings: Vec<f64>,
}

impl GridModules {
    /// Module m has spacing `scale·ratio^m` and orientation `orientation + m·rotation`
    /// (radians).
    pub fn new(modules: usize, scale: f64, ratio: f64, orientation: f64, rotation: f64) -> Self {
        let mut waves = Vec::with_capacity(3 * modules);
        let mut spacings = Vec::with_capacity(modules);
        for m in 0..modules {
            let spacing = scale * ratio.powi(m as i32);
            let k = 4.0 * PI / (3f64.sqrt() * spacing);
            let theta = orientation + m as f64 * rotation;
            for i in 0..3 {
                let a = theta + i as f64 * PI / 3.0;
                waves.push([k * a.cos(), k * a.sin()]);
            }
            spacings.push(spacing);
        }
        GridModules { waves, spacings }
    }

    pub fn modules(&self) -> usize {
        self.spacings.len()
    }

    /// Length of `g`: two components per wave.
    pub fn dim(&self) -> usize {
        2 * self.waves.len()
    }

    /// `g(x)` computed directly from the position.
    pub fn code(&self, x: [f64; 2]) -> Vec<f64> {
        let mut g = Vec::with_capacity(self.dim());
        for k in &self.waves {
            let phase = k[0] * x[0] + k[1] * x[1];
            g.push(phase.cos());
            g.push(phase.sin());
        }
        g
    }

    /// The path-integration matrix of a move by `delta`.
    pub fn action(&self, delta: [f64; 2]) -> ActionMatrix {
        ActionMatrix {
            blocks: self
                .waves
                .iter()
                .map(|k| {
                    let a = k[0] * delta[0] + k[1] * delta[1];
                    (a.cos(), a.sin())
                })
                .collect(),
        }
    }
}

/// A block-diagonal matrix of 2×2 rotations, one per wave.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionMatrix {
    /// (cos, sin) of each block's angle.
    pub blocks: Vec<(f64, f64)>,
}

impl ActionMatrix {
    /// `W g`, in place.
    pub fn apply(&self, g: &mut [f64]) {
        for (b, &(c, s)) in self.blocks.iter().enumerate() {
            let (x, y) = (g[2 * b], g[2 * b + 1]);
            g[2 * b] = c * x - s * y;
            g[2 * b + 1] = s * x + c * y;
        }
    }

    /// `W⁻¹ = Wᵀ` (exact: the same cosines, negated sines).
    pub fn inverse(&self) -> ActionMatrix {
        ActionMatrix {
            blocks: self.blocks.iter().map(|&(c, s)| (c, -s)).collect(),
        }
    }

    /// The full matrix.
    pub fn matrix(&self) -> DMatrix<f64> {
        let n = 2 * self.blocks.len();
        let mut m = DMatrix::zeros(n, n);
        for (b, &(c, s)) in self.blocks.iter().enumerate() {
            m[(2 * b, 2 * b)] = c;
            m[(2 * b, 2 * b + 1)] = -s;
            m[(2 * b + 1, 2 * b)] = s;
            m[(2 * b + 1, 2 * b + 1)] = c;
        }
        m
    }
}

/// Grid cells reading a module's code: `cells_per_side²` phases per module on the module's
/// lattice, each firing when its response exceeds `threshold`.
#[derive(Clone, Debug, PartialEq)]
pub struct GridCells {
    pub modules: GridModules,
    /// Per cell: its module and (cos k_i·c, sin k_i·c) for the module's three waves.
    pub cells: Vec<(usize, [(f64, f64); 3])>,
    pub threshold: f64,
}

impl GridCells {
    pub fn new(modules: GridModules, cells_per_side: usize, threshold: f64) -> Self {
        let mut cells = Vec::new();
        for m in 0..modules.modules() {
            let spacing = modules.spacings[m];
            // Lattice vectors of the module: spacing·(cos, sin)(θ + 30°) and (θ + 90°), with θ
            // the direction of its first wave.
            let k0 = modules.waves[3 * m];
            let theta = k0[1].atan2(k0[0]);
            let v1 = [
                spacing * (theta + PI / 6.0).cos(),
                spacing * (theta + PI / 6.0).sin(),
            ];
            let v2 = [
                spacing * (theta + PI / 2.0).cos(),
                spacing * (theta + PI / 2.0).sin(),
            ];
            let n = cells_per_side as f64;
            for a in 0..cells_per_side {
                for b in 0..cells_per_side {
                    let (fa, fb) = (a as f64 / n, b as f64 / n);
                    let c = [fa * v1[0] + fb * v2[0], fa * v1[1] + fb * v2[1]];
                    let mut phases = [(0.0, 0.0); 3];
                    for (i, p) in phases.iter_mut().enumerate() {
                        let k = modules.waves[3 * m + i];
                        let phase = k[0] * c[0] + k[1] * c[1];
                        *p = (phase.cos(), phase.sin());
                    }
                    cells.push((m, phases));
                }
            }
        }
        GridCells {
            modules,
            cells,
            threshold,
        }
    }

    pub fn len(&self) -> usize {
        self.cells.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// Each cell's response to code `g`: `Σ_i cos(k_i·(x − c))`, in [−1.5, 3].
    pub fn responses(&self, g: &[f64]) -> Vec<f64> {
        self.cells
            .iter()
            .map(|(m, phases)| {
                phases
                    .iter()
                    .enumerate()
                    .map(|(i, &(c, s))| {
                        let w = 3 * m + i;
                        c * g[2 * w] + s * g[2 * w + 1]
                    })
                    .sum()
            })
            .collect()
    }

    /// Which cells fire for code `g`.
    pub fn firing(&self, g: &[f64]) -> Vec<bool> {
        self.responses(g)
            .into_iter()
            .map(|r| r > self.threshold)
            .collect()
    }
}

/// Path-integrates `moves` (each a displacement) from `g0` and then retraces them (the inverse
/// actions in reverse order); returns the largest component error of the code it comes back
/// with, and of the code after the outward leg against the code computed from the position.
pub fn closure_error(modules: &GridModules, g0: &[f64], moves: &[[f64; 2]]) -> (f64, f64) {
    let mut g = g0.to_vec();
    let mut x = [0.0, 0.0];
    let actions: Vec<ActionMatrix> = moves.iter().map(|d| modules.action(*d)).collect();
    for (a, d) in actions.iter().zip(moves) {
        a.apply(&mut g);
        x = [x[0] + d[0], x[1] + d[1]];
    }
    // The outward leg against one rotation of g0 by k·x (the net displacement), whatever g0 is.
    let direct = modules.action(x);
    let mut expected = g0.to_vec();
    direct.apply(&mut expected);
    let drift = max_abs_diff(&g, &expected);
    for a in actions.iter().rev() {
        a.inverse().apply(&mut g);
    }
    (max_abs_diff(&g, g0), drift)
}

pub fn max_abs_diff(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn modules() -> GridModules {
        GridModules::new(3, 3.0, 1.4, 0.1, 0.3)
    }

    #[test]
    fn south_is_exactly_the_inverse_of_north_and_west_of_east() {
        let m = modules();
        let (n, s) = (m.action([0.0, 1.0]), m.action([0.0, -1.0]));
        let (e, w) = (m.action([1.0, 0.0]), m.action([-1.0, 0.0]));
        assert_eq!(s, n.inverse());
        assert_eq!(w, e.inverse());
        assert_eq!(s.matrix(), n.matrix().transpose());
        // And W_N W_S is the identity to rounding.
        let id = n.matrix() * s.matrix();
        let err = (id - DMatrix::identity(m.dim(), m.dim())).abs().max();
        assert!(err < 1e-15, "{err}");
    }

    #[test]
    fn integrating_a_move_gives_the_code_of_the_new_position() {
        let m = modules();
        let x = [2.0, -3.0];
        let mut g = m.code(x);
        m.action([1.0, 0.0]).apply(&mut g);
        assert!(max_abs_diff(&g, &m.code([3.0, -3.0])) < 1e-14);
    }

    #[test]
    fn a_cell_fires_on_a_hexagonal_lattice_of_the_module_spacing() {
        let m = GridModules::new(1, 4.0, 1.0, 0.2, 0.0);
        let cells = GridCells::new(m.clone(), 1, 2.9);
        // The phase-0 cell responds 3 at the origin and at every lattice point, spacing 4.
        for k in 0..6 {
            let a = 0.2 + std::f64::consts::PI / 6.0 + k as f64 * std::f64::consts::PI / 3.0;
            let x = [4.0 * a.cos(), 4.0 * a.sin()];
            assert!((cells.responses(&m.code(x))[0] - 3.0).abs() < 1e-12);
        }
        // Halfway to a lattice point it does not fire.
        let a = 0.2 + std::f64::consts::PI / 6.0;
        let half = [2.0 * a.cos(), 2.0 * a.sin()];
        assert!(!cells.firing(&m.code(half))[0]);
        assert!(cells.firing(&m.code([0.0, 0.0]))[0]);
    }
}
