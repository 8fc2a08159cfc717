//! engram: an exact, event-driven spiking neural circuit simulator.

pub mod cli;
pub mod compare;
pub mod config;
pub mod cpu;
pub mod engine;
pub mod experiment;
pub mod math;
pub mod output;
