//! The simulation engine: neurons, synapses, events. It knows nothing about circuits.

pub mod balance;
pub mod connect;
pub mod distribution;
pub mod event;
pub mod huge_pages;
pub mod network;
pub mod neuron;
pub mod params;
pub mod plasticity;
pub mod populate;
pub mod prefetch;
pub mod rng;
pub mod simulation;
pub mod spike_log;
pub mod synapse;
pub mod team;
