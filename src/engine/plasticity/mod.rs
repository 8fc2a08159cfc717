//! Plasticity rules, applied event by event to a projection's weights. A rule is one file (its
//! parameters, their checks, its state and updates) plus one line in `RULES`.

pub mod climbing_fibre_kernel;
pub mod one_shot_hebb;
pub mod spike_history;
pub mod stdp_pair;
pub mod stdp_triplet;

use crate::engine::params::{Param, ParamError, Params};
use crate::engine::synapse::DenseWeights;

/// The rules a circuit file can name, one line each.
pub static RULES: &[&PlasticityRule] = &[
    &climbing_fibre_kernel::RULE,
    &one_shot_hebb::RULE,
    &stdp_pair::RULE,
    &stdp_triplet::RULE,
];

/// The registered rule called `name`.
pub fn find(name: &str) -> Option<&'static PlasticityRule> {
    RULES.iter().copied().find(|r| r.name == name)
}

/// A plasticity rule as the circuit format sees it.
pub struct PlasticityRule {
    pub name: &'static str,
    pub summary: &'static str,
    pub params: &'static [Param],
    /// The rule acts on teacher spikes (a projection with `teacher_of` must reach it).
    pub uses_teacher: bool,
    /// The rule acts on the postsynaptic neurons' spikes (they must be able to fire; only such
    /// rules are sent them, through `Rule::on_post`).
    pub uses_post: bool,
    /// The rule keeps `f64` weights (small updates that must not round away).
    pub double_weights: bool,
    pub check: fn(&Params) -> Result<(), ParamError>,
    pub build: fn(&Params) -> Box<dyn Rule>,
}

impl std::fmt::Debug for PlasticityRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl PartialEq for PlasticityRule {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

/// A rule with its parameters, as a projection describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct PlasticityDesc {
    pub rule: &'static PlasticityRule,
    pub params: Params,
}

impl PlasticityDesc {
    pub fn build(&self) -> Box<dyn Rule> {
        (self.rule.build)(&self.params)
    }
}

/// A rule with its state, attached to one dense projection.
pub trait Rule: Send {
    /// Switches the rule on or off (protocol phases); a rule that is off changes no weight.
    fn set_enabled(&mut self, on: bool);

    /// A presynaptic spike of `pre` emitted at `spike` reaches its synapses `delay` ms later
    /// (arriving at `spike + delay`). Called when the spike is sent, before it is transmitted:
    /// the spike carries the updated weights (NEST's order). Changes only row `pre` (the
    /// spike's own synapses): the simulation delivers each spike right after its update,
    /// before the next spike's.
    fn on_pre(&mut self, pre: u32, spike: f64, delay: f64, w: &mut DenseWeights);

    /// Teacher spikes for postsynaptic neurons `posts` arrive at `t`.
    fn on_teachers(&mut self, _posts: &[u32], _t: f64, _w: &mut DenseWeights) {}

    /// Postsynaptic neuron `post` fired at `t` (called at the end of the epoch it fired in,
    /// after that epoch's presynaptic spikes: these cannot yet see it, since every delay is at
    /// least an epoch long).
    fn on_post(&mut self, _post: u32, _t: f64, _w: &mut DenseWeights) {}
}
