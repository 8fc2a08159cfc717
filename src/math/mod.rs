//! The equations, computed without spikes: SDM, attention, Hopfield networks.

pub mod binomial;
pub mod normal;
pub mod sdm;
