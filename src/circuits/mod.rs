//! Circuits: turn circuit descriptions and protocols into engine networks and runs.

pub mod builtin;
pub mod generic;
