//! Plasticity rules, applied event by event to a projection's weights.

pub mod one_shot_hebb;
pub mod teacher_kernel;

pub use one_shot_hebb::{OneShotHebb, OneShotHebbParams};
pub use teacher_kernel::{TeacherKernel, TeacherKernelParams};

use crate::engine::synapse::DenseWeights;

/// A rule as described in a network.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PlasticityDesc {
    TeacherKernel(TeacherKernelParams),
    OneShotHebb(OneShotHebbParams),
}

/// A rule with its state, attached to a dense projection.
pub enum Plasticity {
    TeacherKernel(TeacherKernel),
    OneShotHebb(OneShotHebb),
}

impl Plasticity {
    pub fn new(d: PlasticityDesc) -> Self {
        match d {
            PlasticityDesc::TeacherKernel(p) => Plasticity::TeacherKernel(TeacherKernel::new(p)),
            PlasticityDesc::OneShotHebb(p) => Plasticity::OneShotHebb(OneShotHebb::new(p)),
        }
    }

    pub fn set_enabled(&mut self, on: bool) {
        match self {
            Plasticity::TeacherKernel(r) => r.enabled = on,
            Plasticity::OneShotHebb(_) => {}
        }
    }

    /// A presynaptic spike of `pre` reaches its synapses at `t`.
    pub fn on_pre(&mut self, pre: u32, t: f64, w: &mut DenseWeights) {
        match self {
            Plasticity::TeacherKernel(r) => r.on_pre(pre, t, w),
            Plasticity::OneShotHebb(r) => r.on_pre(pre, t),
        }
    }

    /// Teacher spikes for `posts` arrive at `t`.
    pub fn on_teachers(&mut self, posts: &[u32], t: f64, w: &mut DenseWeights) {
        match self {
            Plasticity::TeacherKernel(r) => r.on_teachers(posts, t, w),
            Plasticity::OneShotHebb(r) => r.on_teachers(posts, t, w),
        }
    }
}
