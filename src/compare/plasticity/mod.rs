//! `model = "plasticity"`: the weight change of one synapse of a plastic projection against the
//! rule's closed form, evaluated on the run's own spike trains (`math::plasticity`: sums over
//! spike pairs and triplets, independent of the rule's event-driven traces). Rules with a
//! closed form: `stdp_pair` when additive (μ₊ = μ₋ = 0), `stdp_triplet`, and
//! `climbing_fibre_kernel`; for the others the weight change is reported alone.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Value, json};

use super::{Comparison, Key, KeyKind, Keys, Outcome, Spec};
use crate::engine::distribution::Distribution;
use crate::engine::synapse::Connectivity;
use crate::experiment::simulate::RunResult;
use crate::math::plasticity::{self as m, PairAdditive, Triplet};

pub static COMPARISON: Comparison = Comparison {
    name: "plasticity",
    summary: "a plastic synapse's weight change vs the rule's closed form on the run's own spike trains",
    keys: &[
        Key::new(
            "projection",
            KeyKind::Projection,
            true,
            "a plastic projection (dense)",
        ),
        Key::new(
            "pre",
            KeyKind::Number,
            false,
            "presynaptic neuron of the synapse (default 0)",
        ),
        Key::new(
            "post",
            KeyKind::Number,
            false,
            "postsynaptic neuron of the synapse (default 0)",
        ),
    ],
    check,
};

struct PlasticitySpec {
    projection: usize,
    pre: usize,
    post: usize,
    w_initial: f64,
}

fn check(k: &mut Keys) -> Option<Box<dyn Spec>> {
    let projection = k.projection("projection")?;
    let index = |k: &mut Keys, key: &str| -> Option<usize> {
        if !k.table.contains_key(key) {
            return Some(0);
        }
        let x = k.number(key)?;
        (x >= 0.0 && x.fract() == 0.0).then_some(x as usize).or_else(|| {
            k.error(key, format!("{x} is not a neuron index"), "indices start at 0");
            None
        })
    };
    let (pre, post) = (index(k, "pre")?, index(k, "post")?);
    let c = k.circuit;
    let p = &c.network.projections[projection];
    if p.plasticity.is_none() {
        k.error(
            "projection",
            format!("projection `{}` has no plasticity rule", p.name),
            "name a projection with `plasticity = { rule = ... }`",
        );
        return None;
    }
    let (n_pre, n_post) = (
        c.network.populations[p.pre].size,
        c.network.populations[p.post].size,
    );
    if pre >= n_pre || post >= n_post {
        k.error(
            "pre",
            format!("synapse ({pre}, {post}) is outside {n_pre} × {n_post}"),
            "indices start at 0",
        );
        return None;
    }
    let Distribution::Fixed(w_initial) = p.weight else {
        k.error(
            "projection",
            "the initial weight must be one number to compare the change",
            "give the projection `weight = <number>`",
        );
        return None;
    };
    for (pop, what) in [(p.pre, "pre"), (p.post, "post")] {
        if !c.keep_spikes[pop] {
            k.error(
                "projection",
                format!(
                    "the {what}synaptic population `{}` does not record its spikes",
                    c.network.populations[pop].name
                ),
                "remove `record = false` there: the closed form needs the spike trains",
            );
            return None;
        }
    }
    Some(Box::new(PlasticitySpec {
        projection,
        pre,
        post,
        w_initial,
    }))
}

pub struct PlasticityOutcome {
    pub rule: &'static str,
    pub synapse: (usize, usize),
    pub w_initial: f64,
    pub w_final: f64,
    pub dw_analytic: Option<f64>,
    pub pre_spikes: usize,
    pub post_spikes: usize,
}

impl PlasticityOutcome {
    fn dw(&self) -> f64 {
        self.w_final - self.w_initial
    }

    fn rel_error(&self) -> Option<f64> {
        self.dw_analytic.map(|a| {
            let e = (self.dw() - a).abs();
            if a != 0.0 { e / a.abs() } else { e }
        })
    }
}

/// Spike times of neuron `i` of population `pop`.
fn train(run: &RunResult, pop: usize, i: usize) -> Vec<f64> {
    run.spikes_of(pop, f64::NEG_INFINITY, f64::INFINITY)
        .into_iter()
        .filter(|s| s.1 == i)
        .map(|s| s.0)
        .collect()
}

impl Spec for PlasticitySpec {
    fn compare(&self, run: &RunResult) -> Result<Box<dyn Outcome>, String> {
        let c = &run.circuit;
        let desc = &c.network.projections[self.projection];
        let pl = desc.plasticity.as_ref().ok_or("no plasticity")?;
        let Connectivity::Dense(w) = &run.net().projections[self.projection].conn else {
            return Err("a plastic projection is dense".into());
        };
        let Distribution::Fixed(d) = desc.delay else {
            return Err("a plastic projection has one delay".into());
        };
        let pre = train(run, desc.pre, self.pre);
        let post = train(run, desc.post, self.post);
        // The rule acts only while its phases leave it on; the closed forms assume it always is.
        let always_on = c
            .changes
            .iter()
            .filter(|x| x.projection == self.projection)
            .all(|x| x.plasticity);
        let p = &pl.params;
        let dw_analytic = match (pl.rule.name, always_on) {
            (_, false) => None,
            ("stdp_pair", _) if p.number("mu_plus") == 0.0 && p.number("mu_minus") == 0.0 => {
                let q = PairAdditive {
                    tau_plus: p.number("tau_plus"),
                    tau_minus: p.number("tau_minus"),
                    lambda: p.number("lambda"),
                    alpha: p.number("alpha"),
                    wmax: p.number("wmax"),
                };
                Some(m::pair_additive_dw(&q, &pre, &post, d))
            }
            ("stdp_triplet", _) => {
                let q = Triplet {
                    tau_plus: p.number("tau_plus"),
                    tau_x: p.number("tau_x"),
                    tau_minus: p.number("tau_minus"),
                    tau_y: p.number("tau_y"),
                    a2_plus: p.number("a2_plus"),
                    a3_plus: p.number("a3_plus"),
                    a2_minus: p.number("a2_minus"),
                    a3_minus: p.number("a3_minus"),
                    nearest: p.flag("nearest"),
                };
                Some(m::triplet_dw(&q, &pre, &post, d) * p.number("wmax").signum())
            }
            ("climbing_fibre_kernel", _) => {
                // Teacher arrivals at this postsynaptic neuron, from every teacher projection.
                let mut teacher = Vec::new();
                for (t, tp) in c.network.projections.iter().enumerate() {
                    if tp.teacher_of == Some(self.projection) {
                        let mut sources = Vec::new();
                        run.net().projections[t].conn.for_each(|a, b, _, delay| {
                            if b as usize == self.post {
                                sources.push((a as usize, delay));
                            }
                        });
                        for (a, delay) in sources {
                            teacher.extend(train(run, tp.pre, a).into_iter().map(|s| s + delay));
                        }
                    }
                }
                let m_exp = p.count("exponent") as u32;
                let tau = p.number("peak_ms") / f64::from(m_exp).atan();
                let arrivals: Vec<f64> = pre.iter().map(|s| s + d).collect();
                Some(m::kernel_dw(
                    p.number("ltp"),
                    p.number("ltd"),
                    tau,
                    m_exp,
                    &arrivals,
                    &teacher,
                ))
            }
            _ => None,
        };
        Ok(Box::new(PlasticityOutcome {
            rule: pl.rule.name,
            synapse: (self.pre, self.post),
            w_initial: self.w_initial,
            w_final: w.get(self.pre, self.post),
            dw_analytic,
            pre_spikes: pre.len(),
            post_spikes: post.len(),
        }))
    }
}

impl Outcome for PlasticityOutcome {
    fn metrics(&self) -> Value {
        json!({
            "rule": self.rule,
            "synapse": [self.synapse.0, self.synapse.1],
            "w_initial": self.w_initial,
            "w_final": self.w_final,
            "dw": self.dw(),
            "dw_analytic": self.dw_analytic,
            "rel_error": self.rel_error(),
            "abs_error": self.dw_analytic.map(|a| (self.dw() - a).abs()),
            "pre_spikes": self.pre_spikes,
            "post_spikes": self.post_spikes,
        })
    }

    fn scalars(&self) -> Vec<(String, f64)> {
        vec![
            ("w_initial".into(), self.w_initial),
            ("w_final".into(), self.w_final),
            ("dw".into(), self.dw()),
            ("dw_analytic".into(), self.dw_analytic.unwrap_or(f64::NAN)),
            ("rel_error".into(), self.rel_error().unwrap_or(f64::NAN)),
            (
                "abs_error".into(),
                self.dw_analytic.map_or(f64::NAN, |a| (self.dw() - a).abs()),
            ),
        ]
    }

    fn headline(&self) -> String {
        format!(
            "{} synapse {:?}: w {} -> {} (dw {:.9}), closed form {}",
            self.rule,
            self.synapse,
            self.w_initial,
            self.w_final,
            self.dw(),
            self.dw_analytic.map_or("n/a".into(), |a| format!(
                "{a:.9} (relative error {:.2e})",
                self.rel_error().unwrap_or(0.0)
            ))
        )
    }

    fn report(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "## Plasticity: `{}`, synapse {:?}\n\n{} presynaptic and {} postsynaptic spikes.\n",
            self.rule, self.synapse, self.pre_spikes, self.post_spikes
        );
        let _ = writeln!(
            s,
            "| initial weight | final weight | Δw | Δw in closed form | relative error |\n|---|---|---|---|---|"
        );
        let _ = writeln!(
            s,
            "| {} | {} | {:.12} | {} | {} |",
            self.w_initial,
            self.w_final,
            self.dw(),
            self.dw_analytic.map_or("—".into(), |a| format!("{a:.12}")),
            self.rel_error().map_or("—".into(), |e| format!("{e:.2e}"))
        );
        s
    }

    fn figures(&self, _dir: &Path, _run: &RunResult) -> Result<(), String> {
        Ok(())
    }
}
