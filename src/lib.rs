//! engram: an exact, event-driven spiking neural circuit simulator.

pub mod engine;
