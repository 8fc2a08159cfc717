//! `pattern`: synapses read from a pattern set, where a value must be wired rather than learned.
//! Item μ of the set is presynaptic neuron μ and component j postsynaptic neuron j (with
//! `transpose = true`, the other way round); the synapse has weight `scale · x_μj`, and
//! components equal to 0 make no synapse. The result is an explicit list of synapses.

use super::explicit::Explicit;
use super::{ConnectivityRule, Listed, Rule};
use crate::engine::params::{Param, ParamDefault, ParamError, ParamKind};

pub static RULE: ConnectivityRule = ConnectivityRule {
    name: "pattern",
    summary: "weights scale·x_μj from a pattern set: item μ → component j (transpose: j → μ); zeros make no synapse",
    params: &[
        Param::list("pattern", ParamKind::Pattern, "the [[pattern]] set to read"),
        Param::flag(
            "transpose",
            false,
            "components are presynaptic, items postsynaptic",
        ),
        Param::number(
            "scale",
            ParamDefault::Number(1.0),
            "",
            "weight per unit of the component",
        ),
    ],
    check: |p, s| {
        let Some(items) = p.matrix("pattern") else {
            return Err(ParamError::new("", "`pattern` needs `pattern = \"<set>\"`"));
        };
        let (count, dim) = (items.len(), items.first().map_or(0, Vec::len));
        let (want_pre, want_post) = if p.flag("transpose") {
            (dim, count)
        } else {
            (count, dim)
        };
        if (s.n_pre, s.n_post) != (want_pre, want_post) {
            return Err(ParamError::new(
                "pattern",
                format!(
                    "{count} items of {dim} components wire {want_pre} → {want_post} neurons; the projection is {} → {}",
                    s.n_pre, s.n_post
                ),
            ));
        }
        if !p.number("scale").is_finite() {
            return Err(ParamError::new("scale", "scale must be finite"));
        }
        Ok(())
    },
    build: |p| {
        let items = p.matrix("pattern").unwrap_or(&[]);
        let (transpose, scale) = (p.flag("transpose"), p.number("scale"));
        let mut list = Listed {
            pairs: Vec::new(),
            weights: Some(Vec::new()),
            delays: None,
        };
        for (mu, x) in items.iter().enumerate() {
            for (j, &v) in x.iter().enumerate() {
                if v != 0.0 {
                    list.pairs.push(if transpose {
                        (j as u32, mu as u32)
                    } else {
                        (mu as u32, j as u32)
                    });
                    list.weights.as_mut().expect("weights").push(scale * v);
                }
            }
        }
        Rule::new("pattern", Explicit(list))
    },
};
