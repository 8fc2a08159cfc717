//! The equations, computed without spikes: SDM, attention, Hopfield networks, the grid code
//! and TEM.

pub mod attention;
pub mod binomial;
pub mod continuous_sdm;
pub mod grid_code;
pub mod gridworld;
pub mod hopfield;
pub mod normal;
pub mod plasticity;
pub mod sdm;
pub mod sdm_memory;
pub mod sdm_optimal;
pub mod sdm_sparse;
pub mod tem;
