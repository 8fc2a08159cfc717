//! The circuits that ship inside the binary, run by `engram run` with no argument.

/// (file name, TOML text) of each built-in circuit.
pub const DEFAULT_CIRCUITS: &[(&str, &str)] = &[
    (
        "circuits/cuba_ed.toml",
        include_str!("../../circuits/cuba_ed.toml"),
    ),
    (
        "circuits/cerebellum_sdm.toml",
        include_str!("../../circuits/cerebellum_sdm.toml"),
    ),
    (
        "circuits/hippocampus_hopfield.toml",
        include_str!("../../circuits/hippocampus_hopfield.toml"),
    ),
    (
        "circuits/stdp_window.toml",
        include_str!("../../circuits/stdp_window.toml"),
    ),
    (
        "circuits/stdp_frequency.toml",
        include_str!("../../circuits/stdp_frequency.toml"),
    ),
    (
        "circuits/pf_pc_window.toml",
        include_str!("../../circuits/pf_pc_window.toml"),
    ),
    (
        "circuits/tem_gridworld.toml",
        include_str!("../../circuits/tem_gridworld.toml"),
    ),
];

/// The built-in circuit with this file name.
pub fn find(name: &str) -> Option<&'static str> {
    DEFAULT_CIRCUITS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}
