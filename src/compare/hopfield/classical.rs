//! `model = "classical_hopfield"`: the circuit's sign readout against the classical Hopfield
//! network `W = Σ x_μ x_μᵀ`, `ξ ← sgn(Wξ)` (asynchronous updates to a fixed point) on the same
//! patterns and queries: exact retrieval per query-noise level.

use std::fmt::Write as _;
use std::path::Path;

use nalgebra::{DMatrix, DVector};
use serde_json::{Value, json};

use super::{Queries, by_level, check_queries, sign_equal};
use crate::compare::{Comparison, Key, KeyKind, Keys, Outcome, Spec};
use crate::config::protocol::ReadoutKind;
use crate::engine::rng::{Domain, name_key, stream};
use crate::experiment::simulate::RunResult;
use crate::math::hopfield::ClassicalHopfield;
use crate::output::plot::{self, Series, Style};

pub static COMPARISON: Comparison = Comparison {
    name: "classical_hopfield",
    summary: "retrieval of the circuit's sign readout vs the classical Hopfield network on the same patterns and queries",
    keys: &[
        Key::new("patterns", KeyKind::Pattern, true, "the stored patterns"),
        Key::new(
            "reads",
            KeyKind::Phase,
            true,
            "the phase presenting the queries (the patterns or noisy copies)",
        ),
        Key::new(
            "output",
            KeyKind::Readout(ReadoutKind::MembraneChange),
            true,
            "the output cells' membrane change, one cell per component",
        ),
    ],
    check,
};

struct ClassicalSpec {
    patterns: usize,
    reads: usize,
    output: usize,
}

fn check(k: &mut Keys) -> Option<Box<dyn Spec>> {
    let (patterns, reads) = (k.pattern("patterns"), k.phase("reads"));
    let (patterns, reads) = (patterns?, reads?);
    if !check_queries(k, patterns, reads) {
        return None;
    }
    let output = k.readout("output", &[reads])?;
    let dim = k.circuit.protocol.patterns[patterns].dim;
    if k.circuit.network.populations[k.circuit.protocol.readouts[output].population].size != dim {
        k.error(
            "readouts",
            format!("`output` must read {dim} cells, one per component"),
            "",
        );
        return None;
    }
    Some(Box::new(ClassicalSpec {
        patterns,
        reads,
        output,
    }))
}

pub struct ClassicalOutcome {
    pub dim: usize,
    pub stored: usize,
    /// (flip, queries, circuit, classical).
    pub levels: Vec<(f64, usize, f64, f64)>,
    pub accuracy_circuit: f64,
    pub accuracy_classical: f64,
}

impl Spec for ClassicalSpec {
    fn compare(&self, run: &RunResult) -> Result<Box<dyn Outcome>, String> {
        let c = &run.circuit;
        let q = Queries::new(c, self.patterns, self.reads);
        let dim = q.patterns.first().map_or(0, Vec::len);
        let x = DMatrix::from_fn(dim, q.patterns.len(), |i, mu| q.patterns[mu][i]);
        let net = ClassicalHopfield::store(&x);
        let out = run
            .readout(&c.protocol.readouts[self.output].name)
            .and_then(|r| r.in_phase(self.reads))
            .ok_or("output readout missing")?;
        let mut circuit = Vec::new();
        let mut classical = Vec::new();
        for (i, xi) in q.xi.iter().enumerate() {
            let target = &q.patterns[q.target[i]];
            circuit.push(sign_equal(&out[i][0].vector, target));
            let mut rng = stream(
                c.network.seed,
                Domain::Protocol,
                name_key("classical hopfield"),
                i as u64,
            );
            let (s, _) = net.run_async(&mut rng, &DVector::from_vec(xi.clone()), 100);
            classical.push(s.iter().zip(target).all(|(a, b)| a == b));
        }
        let lc = by_level(&q, &circuit);
        let ll = by_level(&q, &classical);
        let frac = |v: &[bool]| v.iter().filter(|b| **b).count() as f64 / v.len().max(1) as f64;
        Ok(Box::new(ClassicalOutcome {
            dim,
            stored: q.patterns.len(),
            levels: lc.iter().zip(&ll).map(|(a, b)| (a.0, a.1, a.2, b.2)).collect(),
            accuracy_circuit: frac(&circuit),
            accuracy_classical: frac(&classical),
        }))
    }
}

impl Outcome for ClassicalOutcome {
    fn metrics(&self) -> Value {
        json!({
            "accuracy_circuit": self.accuracy_circuit,
            "accuracy_classical": self.accuracy_classical,
            "accuracy_by_flip": self.levels.iter().map(|l| json!({
                "flip": l.0, "queries": l.1, "circuit": l.2, "classical": l.3,
            })).collect::<Vec<_>>(),
        })
    }

    fn scalars(&self) -> Vec<(String, f64)> {
        let mut out = vec![
            ("accuracy_circuit".into(), self.accuracy_circuit),
            ("accuracy_classical".into(), self.accuracy_classical),
        ];
        for l in &self.levels {
            out.push((format!("accuracy_classical_at_{}", l.0), l.3));
        }
        out
    }

    fn headline(&self) -> String {
        format!(
            "vs classical Hopfield: accuracy circuit {:.3} vs classical {:.3} ({} patterns, D = {}, 0.138·D = {:.1})",
            self.accuracy_circuit,
            self.accuracy_classical,
            self.stored,
            self.dim,
            0.138 * self.dim as f64
        )
    }

    fn report(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "## Comparison with the classical Hopfield network\n\n{} patterns of D = {} (the classical capacity is about 0.138·D = {:.1}).\n",
            self.stored,
            self.dim,
            0.138 * self.dim as f64
        );
        let _ = writeln!(s, "| flip | queries | circuit | classical |\n|---|---|---|---|");
        for l in &self.levels {
            let _ = writeln!(s, "| {:.2} | {} | {:.3} | {:.3} |", l.0, l.1, l.2, l.3);
        }
        let _ = writeln!(s, "\n![classical vs circuit](accuracy_classical.png)\n");
        s
    }

    fn figures(&self, dir: &Path, _run: &RunResult) -> Result<(), String> {
        plot::chart(
            &dir.join("accuracy_classical.png"),
            &format!(
                "Retrieval vs query noise: circuit and classical Hopfield ({} patterns, D = {})",
                self.stored, self.dim
            ),
            "fraction of bits flipped",
            "fraction retrieved exactly",
            &[
                Series {
                    name: "circuit (spikes)".into(),
                    points: self.levels.iter().map(|l| (l.0, l.2)).collect(),
                    style: Style::Line,
                },
                Series {
                    name: "classical Hopfield".into(),
                    points: self.levels.iter().map(|l| (l.0, l.3)).collect(),
                    style: Style::Dots,
                },
            ],
            false,
        )
    }
}
