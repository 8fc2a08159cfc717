//! Readouts taken from a run: for every presentation of every trial of the phases a readout
//! lists, who fired in its window, spike counts, summed input or membrane change.

use crate::config::protocol::{Protocol, Readout, ReadoutKind};
use crate::engine::network::PopulationInfo;
use crate::engine::neuron::StateSample;
use crate::engine::spike_log::SpikeLog;

/// One readout of one presentation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Value {
    /// `fired`: local indices of the neurons that fired, ascending.
    pub set: Vec<u32>,
    /// `counts`, `input_sum`, `membrane_change`: one value per neuron.
    pub vector: Vec<f64>,
    /// `counts`: the counts over each prefix of the window.
    pub prefixes: Vec<Vec<f64>>,
}

/// A readout over one phase: `values[trial][presentation]`.
#[derive(Clone, Debug, PartialEq)]
pub struct PhaseValues {
    pub phase: usize,
    pub values: Vec<Vec<Value>>,
}

/// Everything one readout took.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadoutData {
    pub name: String,
    pub kind: ReadoutKind,
    pub population: usize,
    pub phases: Vec<PhaseValues>,
}

impl ReadoutData {
    /// The values in phase `phase` (`[trial][presentation]`), if the readout is taken there.
    pub fn in_phase(&self, phase: usize) -> Option<&[Vec<Value>]> {
        self.phases
            .iter()
            .find(|p| p.phase == phase)
            .map(|p| &p.values[..])
    }
}

/// What readouts are read from: recorded spikes in time order, and per population the
/// samples of its membrane and input recorders sorted by time.
pub struct Sources<'a> {
    pub spikes: &'a SpikeLog,
    pub populations: &'a [PopulationInfo],
    pub membrane: &'a [(usize, Vec<StateSample>)],
    pub inputs: &'a [(usize, Vec<StateSample>)],
}

fn samples_of(list: &[(usize, Vec<StateSample>)], pop: usize) -> &[StateSample] {
    list.iter()
        .find(|(p, _)| *p == pop)
        .map_or(&[][..], |(_, s)| &s[..])
}

/// Samples in `[a, b)` of a time-sorted list.
fn window(s: &[StateSample], a: f64, b: f64) -> &[StateSample] {
    let lo = s.partition_point(|x| x.time < a);
    let hi = lo + s[lo..].partition_point(|x| x.time < b);
    &s[lo..hi]
}

/// Counts of `pop`'s spikes in `[a, b)` per neuron.
fn counts(src: &Sources, info: &PopulationInfo, a: f64, b: f64) -> Vec<f64> {
    let mut c = vec![0.0; info.size];
    src.spikes.visit(a, b, &mut |s| {
        if s.neuron >= info.offset && s.neuron < info.offset + info.size as u32 {
            c[(s.neuron - info.offset) as usize] += 1.0;
        }
    });
    c
}

/// The readout `ro` of a presentation at time `t`.
pub fn take(src: &Sources, ro: &Readout, t: f64) -> Value {
    let info = &src.populations[ro.population];
    let (a, b) = (t + ro.from, t + ro.to);
    let mut v = Value::default();
    match ro.kind {
        // Filled by the run, which takes the weights at the window's edges.
        ReadoutKind::WeightChange => {}
        ReadoutKind::Fired => {
            src.spikes.visit(a, b, &mut |s| {
                if s.neuron >= info.offset && s.neuron < info.offset + info.size as u32 {
                    v.set.push(s.neuron - info.offset);
                }
            });
            v.set.sort_unstable();
            v.set.dedup();
        }
        ReadoutKind::Counts => {
            v.vector = counts(src, info, a, b);
            v.prefixes = ro.prefixes.iter().map(|&p| counts(src, info, a, a + p)).collect();
        }
        ReadoutKind::InputSum => {
            v.vector = vec![0.0; info.size];
            for s in window(samples_of(src.inputs, ro.population), a, b) {
                v.vector[s.neuron as usize] += s.value;
            }
        }
        ReadoutKind::MembraneChange => {
            v.vector = vec![0.0; info.size];
            let samples = samples_of(src.membrane, ro.population);
            let at = |t: f64| {
                let lo = samples.partition_point(|x| x.time < t);
                samples[lo..].iter().take_while(move |x| x.time == t)
            };
            for s in at(a) {
                v.vector[s.neuron as usize] -= s.value;
            }
            for s in at(b) {
                v.vector[s.neuron as usize] += s.value;
            }
        }
    }
    v
}

/// Every readout of a finished run.
pub fn take_all(src: &Sources, protocol: &Protocol) -> Vec<ReadoutData> {
    protocol
        .readouts
        .iter()
        .map(|ro| ReadoutData {
            name: ro.name.clone(),
            kind: ro.kind,
            population: ro.population,
            phases: ro
                .phases
                .iter()
                .map(|&k| {
                    let ph = &protocol.phases[k];
                    PhaseValues {
                        phase: k,
                        values: (0..ph.trials)
                            .map(|t| {
                                (0..ph.presentations)
                                    .map(|p| take(src, ro, ph.time(t, p)))
                                    .collect()
                            })
                            .collect(),
                    }
                })
                .collect(),
        })
        .collect()
}
