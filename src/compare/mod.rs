//! Where circuit readouts meet the math.

pub mod cerebellum;
pub mod hippocampus;
