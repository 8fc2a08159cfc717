//! The JSON Schema (draft-04, which TOML language servers such as Taplo read) of circuit files, generated from the same registries the
//! validator reads (neuron models, plasticity rules, connection rules, comparisons), so
//! editors that check TOML against a schema complete and check circuit files as they are
//! typed. Unknown keys are refused everywhere, as engram refuses them. Numbers may be
//! expressions (strings) over `[let]` names; the schema accepts any string there and engram
//! evaluates it.

use serde::Deserialize;
use serde::de::{self, Visitor};
use serde_json::{Map, Value, json};

use crate::compare::{COMPARISONS, KeyKind};
use crate::config::schema::{
    EncodeToml, PatternKind, PrecisionToml, ReadoutKind, RecorderKind, SourceModelToml, StorageToml,
};
use crate::engine::connect;
use crate::engine::neuron;
use crate::engine::params::{Param, ParamDefault, ParamKind};
use crate::engine::plasticity;

fn num(doc: &str) -> Value {
    json!({ "description": doc, "anyOf": [{ "type": "number" }, { "type": "string", "description": "an expression over [let] names, e.g. \"2 * n\"" }] })
}

fn string(doc: &str) -> Value {
    json!({ "type": "string", "description": doc })
}

fn object(doc: &str, properties: Map<String, Value>, required: &[&str]) -> Value {
    let mut o = json!({
        "type": "object",
        "description": doc,
        "properties": properties,
        "additionalProperties": false,
    });
    // Draft-04 wants a non-empty `required`.
    if !required.is_empty() {
        o["required"] = json!(required);
    }
    o
}

/// The names serde reads for `T`: an enum's variants or a struct's fields, as a file writes
/// them. The derived `Deserialize` hands them to `deserialize_enum` / `deserialize_struct`,
/// which this deserializer records and then refuses.
fn serde_names<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    struct Names(&'static [&'static str]);
    impl<'de> de::Deserializer<'de> for &mut Names {
        type Error = de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("not an enum"))
        }
        fn deserialize_enum<V: Visitor<'de>>(
            self,
            _: &'static str,
            variants: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            self.0 = variants;
            Err(de::Error::custom("names only"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            self.0 = fields;
            Err(de::Error::custom("names only"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map identifier
            ignored_any
        }
    }
    let mut n = Names(&[]);
    let _ = T::deserialize(&mut n);
    n.0
}

/// One of the names a file may write for the enum `T`.
fn names<'de, T: Deserialize<'de>>() -> Value {
    json!({ "enum": serde_names::<T>() })
}

/// A value equal to `x` (draft-04 has no `const`).
fn is(x: &str) -> Value {
    json!({ "enum": [x] })
}

fn props(list: &[(&str, Value)]) -> Map<String, Value> {
    list.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

fn distribution(doc: &str) -> Value {
    json!({
        "description": doc,
        "anyOf": [
            { "type": "number" },
            { "type": "string" },
            object("uniform on [low, high]", props(&[
                ("distribution", is("uniform")),
                ("low", num("")),
                ("high", num("")),
            ]), &["distribution", "low", "high"]),
            object("normal, redrawn until inside [low, high]", props(&[
                ("distribution", is("normal")),
                ("mean", num("")),
                ("std", num("")),
                ("low", num("")),
                ("high", num("")),
            ]), &["distribution", "mean", "std"]),
        ]
    })
}

/// The schema of one parameter.
fn param(p: &Param) -> Value {
    let doc = if p.unit.is_empty() {
        p.doc.to_string()
    } else {
        format!("{} ({})", p.doc, p.unit)
    };
    match p.kind {
        ParamKind::Number => num(&doc),
        ParamKind::Count => {
            json!({ "description": doc, "anyOf": [{ "type": "integer", "minimum": 0 }, { "type": "string" }] })
        }
        ParamKind::Flag => json!({ "type": "boolean", "description": doc }),
        ParamKind::Numbers => {
            json!({ "type": "array", "description": doc, "items": { "anyOf": [{ "type": "number" }, { "type": "string" }] } })
        }
        ParamKind::Pattern => string(&doc),
        ParamKind::Pairs => json!({
            "type": "array",
            "description": doc,
            "items": { "type": "array", "items": { "type": "integer", "minimum": 0 }, "minItems": 2, "maxItems": 2 },
        }),
    }
}

/// `{ <tag> = "<name>", <params> }` for each of a registry's entries.
fn tagged(tag: &str, entries: &[(&str, &str, &[Param])]) -> Value {
    let one_of: Vec<Value> = entries
        .iter()
        .map(|(name, summary, params)| {
            let mut p = Map::new();
            p.insert(tag.into(), is(name));
            for x in params.iter() {
                p.insert(x.name.into(), param(x));
            }
            let mut required = vec![tag];
            required.extend(
                params
                    .iter()
                    .filter(|x| x.default == ParamDefault::Required)
                    .map(|x| x.name),
            );
            object(summary, p, &required)
        })
        .collect();
    json!({ "oneOf": one_of })
}

fn population() -> Value {
    // One alternative per model: its name, and its own parameters.
    let one_of: Vec<Value> = neuron::MODELS
        .iter()
        .map(|m| {
            let p: Map<String, Value> = m.params.iter().map(|x| (x.name.to_string(), param(x))).collect();
            let required: Vec<&str> = m
                .params
                .iter()
                .filter(|x| x.default == ParamDefault::Required)
                .map(|x| x.name)
                .collect();
            let mut fields = props(&[
                ("name", string("unique name")),
                ("size", num("number of neurons")),
                ("model", is(m.name)),
                ("params", object(m.summary, p, &required)),
                (
                    "record",
                    json!({ "type": "boolean", "description": "keep its spikes (default true)" }),
                ),
            ]);
            if m.has_membrane {
                fields.insert("v_init".into(), distribution("initial membrane potential, mV"));
            }
            let mut need = vec!["name", "size", "model"];
            if !required.is_empty() {
                need.push("params");
            }
            object(
                &format!("a population of `{}` neurons: {}", m.name, m.summary),
                fields,
                &need,
            )
        })
        .collect();
    json!({ "oneOf": one_of })
}

fn stimulus() -> Value {
    object(
        "a spike source: Poisson trains, or explicit times (filled by phases when only `size` is given)",
        props(&[
            ("name", string("unique name")),
            ("model", names::<SourceModelToml>()),
            ("size", num("number of sources")),
            ("rate_hz", num("poisson: rate")),
            ("start_ms", num("poisson: first time")),
            ("stop_ms", num("poisson: last time (exclusive)")),
            (
                "times_ms",
                json!({ "type": "array", "items": { "type": "array", "items": { "type": "number" } } }),
            ),
            ("record", json!({ "type": "boolean" })),
        ]),
        &["name", "model"],
    )
}

fn projection() -> Value {
    let rules: Vec<(&str, &str, &[Param])> = connect::RULES
        .iter()
        .map(|r| (r.name, r.summary, r.params))
        .collect();
    let plastic: Vec<(&str, &str, &[Param])> = plasticity::RULES
        .iter()
        .map(|r| (r.name, r.summary, r.params))
        .collect();
    let receptors: Vec<&str> = neuron::MODELS
        .iter()
        .flat_map(|m| m.receptors.iter().copied())
        .collect();
    object(
        "synapses from one population to another",
        props(&[
            ("name", string("unique name (default \"pre->post\")")),
            ("pre", string("presynaptic population or stimulus")),
            ("post", string("postsynaptic population")),
            ("connectivity", tagged("rule", &rules)),
            ("weight", distribution("weight, mV (or the model's unit)")),
            ("delay_ms", distribution("delay, ms (> 0)")),
            ("delay_step_ms", num("drawn delays are rounded to this")),
            ("autapses", json!({ "type": "boolean" })),
            ("storage", names::<StorageToml>()),
            ("plasticity", tagged("rule", &plastic)),
            ("teacher_of", string("the plastic projection this one teaches")),
            ("receptor", json!({ "enum": receptors })),
            ("precision", {
                let mut v = names::<PrecisionToml>();
                v["description"] = json!("dense weights (default: what the rule needs)");
                v
            }),
        ]),
        &["pre", "post", "connectivity", "delay_ms"],
    )
}

fn recorder() -> Value {
    object(
        "membrane potential samples, weight snapshots, every input jump, or every change of chosen weights",
        props(&[
            ("type", names::<RecorderKind>()),
            ("population", string("")),
            ("projection", string("")),
            (
                "neurons",
                json!({ "type": "array", "items": { "type": "integer", "minimum": 0 } }),
            ),
            ("interval_ms", num("")),
            (
                "times_ms",
                json!({ "type": "array", "items": { "anyOf": [{ "type": "number" }, { "type": "string" }] } }),
            ),
            (
                "synapses",
                json!({ "type": "array", "description": "weight_trace: [pre, post] pairs", "items": { "type": "array", "items": { "type": "integer", "minimum": 0 }, "minItems": 2, "maxItems": 2 } }),
            ),
        ]),
        &["type"],
    )
}

fn pattern() -> Value {
    object(
        "a named, seeded set of vectors",
        props(&[
            ("name", string("unique name")),
            ("kind", names::<PatternKind>()),
            ("count", num("random: number of vectors")),
            ("dim", num("random: components")),
            ("of", string("noisy: the set copied")),
            (
                "flip",
                json!({ "type": "array", "items": { "anyOf": [{ "type": "number" }, { "type": "string" }] } }),
            ),
            ("per_level", num("noisy: copies per level")),
            (
                "values",
                json!({ "type": "array", "items": { "type": "array", "items": { "type": "number" } } }),
            ),
            (
                "world",
                object(
                    "walk: the grid world",
                    props(&[
                        ("size", num("nodes per side")),
                        ("categories", num("observations drawn from this many")),
                    ]),
                    &["size", "categories"],
                ),
            ),
            ("episodes", num("walk: new worlds, one walk each")),
            ("steps", num("walk: nodes per walk")),
            (
                "grid",
                object(
                    "grid_code: the modules and their cells",
                    props(&[
                        ("modules", num("number of modules")),
                        ("scale", num("spacing of the first module (nodes)")),
                        ("ratio", num("spacing ratio of successive modules")),
                        ("orientation_deg", num("orientation of the first module")),
                        ("rotation_deg", num("added per module")),
                        ("cells_per_side", num("cell phases per module: this many squared")),
                        (
                            "threshold",
                            num("a cell fires where Σ cos(k·(x − c)) exceeds this"),
                        ),
                    ]),
                    &["modules", "scale", "ratio", "cells_per_side", "threshold"],
                ),
            ),
        ]),
        &["name", "kind"],
    )
}

fn encode() -> Value {
    names::<EncodeToml>()
}

fn phase() -> Value {
    let present = object(
        "a volley (or a train of volleys) into a spike_times stimulus, in every trial",
        props(&[
            ("to", string("a spike_times stimulus")),
            (
                "pattern",
                string("the set presented (default: the phase's `each`)"),
            ),
            ("encode", encode()),
            ("at_ms", num("offset from the presentation")),
            ("every_ms", num("repeat the volley this often ...")),
            ("until_ms", num("... until this offset")),
        ]),
        &["to", "encode"],
    );
    let feedback = object(
        "closed loop: the sign of a readout presented as the next presentation",
        props(&[
            ("readout", string("a membrane_change or input_sum readout")),
            ("to", string("a spike_times stimulus")),
            ("encode", encode()),
            ("repeats", num("further presentations per trial")),
        ]),
        &["readout", "to", "encode", "repeats"],
    );
    object(
        "one trial per item of a pattern set",
        props(&[
            ("name", string("unique name")),
            ("each", string("the pattern set, one trial per item")),
            ("trials", num("or: this many trials without a pattern")),
            ("start_ms", num("default: the end of the previous phase")),
            ("interval_ms", num("between presentations")),
            (
                "plasticity",
                json!({ "type": "object", "additionalProperties": { "type": "boolean" } }),
            ),
            (
                "reset_each_episode",
                json!({ "type": "array", "description": "plastic projections that forget at each new episode", "items": { "type": "string" } }),
            ),
            ("present", json!({ "type": "array", "items": present })),
            ("feedback", feedback),
        ]),
        &["name", "interval_ms"],
    )
}

fn readout() -> Value {
    object(
        "a value per presentation: who fired, spike counts, summed input, membrane or weight change",
        props(&[
            ("name", string("unique name")),
            ("kind", names::<ReadoutKind>()),
            ("population", string("all kinds but weight_change")),
            ("projection", string("weight_change: the projection read")),
            (
                "synapses",
                json!({ "type": "array", "description": "weight_change: [pre, post] pairs (default: all)", "items": { "type": "array", "items": { "type": "integer", "minimum": 0 }, "minItems": 2, "maxItems": 2 } }),
            ),
            (
                "phases",
                json!({ "type": "array", "items": { "type": "string" } }),
            ),
            ("from_ms", num("window start after each presentation")),
            ("to_ms", num("window end")),
            (
                "prefixes_ms",
                json!({ "type": "array", "items": { "anyOf": [{ "type": "number" }, { "type": "string" }] } }),
            ),
        ]),
        &["name", "kind", "from_ms", "to_ms"],
    )
}

fn compare() -> Value {
    let one_of: Vec<Value> = COMPARISONS
        .iter()
        .map(|c| {
            let mut p = props(&[("model", is(c.name)), ("name", string("default: the model"))]);
            let mut roles = Map::new();
            let mut role_required = Vec::new();
            let mut required = vec!["model"];
            for k in c.keys {
                match k.kind {
                    KeyKind::Readout(kind) => {
                        roles.insert(
                            k.name.into(),
                            string(&format!("a `{}` readout: {}", kind.name(), k.doc)),
                        );
                        if k.required {
                            role_required.push(k.name);
                        }
                    }
                    KeyKind::Number => {
                        p.insert(k.name.into(), num(k.doc));
                        if k.required {
                            required.push(k.name);
                        }
                    }
                    _ => {
                        p.insert(k.name.into(), string(k.doc));
                        if k.required {
                            required.push(k.name);
                        }
                    }
                }
            }
            if !roles.is_empty() {
                p.insert(
                    "readouts".into(),
                    object("readouts by role", roles, &role_required),
                );
                if !role_required.is_empty() {
                    required.push("readouts");
                }
            }
            object(c.summary, p, &required)
        })
        .collect();
    json!({ "oneOf": one_of })
}

/// The whole schema.
pub fn circuit_schema() -> Value {
    let lets = json!({
        "type": "object",
        "description": "named numbers and derived values (numbers or expressions over each other)",
        "additionalProperties": { "anyOf": [{ "type": "number" }, { "type": "string" }] },
    });
    let lets_override = json!({
        "type": "object",
        "additionalProperties": { "anyOf": [{ "type": "number" }, { "type": "string" }] },
    });
    let output = object(
        "which optional files a run writes, and the data tables' format",
        props(&[
            (
                "format",
                json!({ "enum": ["parquet", "csv"], "description": "data tables (spikes, readouts, recorders, network export): Apache Parquet (default) or CSV" }),
            ),
            ("raster", json!({ "type": "boolean" })),
            ("phase_rasters", json!({ "type": "boolean" })),
            ("connections", json!({ "type": "boolean" })),
            ("initial_state", json!({ "type": "boolean" })),
        ]),
        &[],
    );
    let variant = object(
        "the same file with some [let] values replaced",
        props(&[
            ("name", string("")),
            ("description", string("")),
            ("let", lets_override.clone()),
        ]),
        &["name", "let"],
    );
    let range = object(
        "from, to, step",
        props(&[("from", num("")), ("to", num("")), ("step", num(""))]),
        &["from", "to", "step"],
    );
    let sweep = object(
        "the file run at every combination of the swept [let] values",
        props(&[
            ("name", string("")),
            ("let", lets_override),
            (
                "over",
                json!({ "type": "object", "additionalProperties": { "anyOf": [{ "type": "array", "items": { "anyOf": [{ "type": "number" }, { "type": "string" }] } }, range] } }),
            ),
            ("plot", {
                let one = object(
                    "one plot of metrics against a swept name",
                    props(&[
                        ("x", string("")),
                        ("y", json!({ "type": "array", "items": { "type": "string" } })),
                        ("log_x", json!({ "type": "boolean" })),
                        ("log_y", json!({ "type": "boolean" })),
                        ("title", string("")),
                    ]),
                    &["x", "y"],
                );
                json!({ "anyOf": [one.clone(), { "type": "array", "items": one }] })
            }),
        ]),
        &["name", "over"],
    );
    let array = |item: Value| json!({ "type": "array", "items": item });
    let mut root = object(
        "an engram circuit file: populations, projections, protocol, readouts and comparisons",
        props(&[
            ("name", string("output folder name")),
            ("description", string("")),
            ("seed", json!({ "type": "integer", "minimum": 0 })),
            (
                "duration_ms",
                num("simulated time (default: the end of the last phase)"),
            ),
            ("let", lets),
            ("output", output),
            ("pattern", array(pattern())),
            ("population", array(population())),
            ("stimulus", array(stimulus())),
            ("projection", array(projection())),
            ("recorder", array(recorder())),
            ("phase", array(phase())),
            ("readout", array(readout())),
            ("compare", array(compare())),
            ("variant", array(variant)),
            ("sweep", array(sweep)),
        ]),
        &["name"],
    );
    root["$schema"] = json!("http://json-schema.org/draft-04/schema#");
    root["title"] = json!("engram circuit");
    root
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::config::schema::{
        CircuitToml, FeedbackToml, OutputToml, PatternToml, PhaseToml, PopulationToml, PresentToml,
        ProjectionToml, ReadoutToml, RecorderToml, StimulusToml, SweepPlotToml, SweepToml, VariantToml,
    };

    /// The keys an object schema allows (over all alternatives of a oneOf / anyOf).
    fn keys(v: &Value) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = v["properties"]
            .as_object()
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        for alt in ["oneOf", "anyOf"] {
            for a in v[alt].as_array().into_iter().flatten() {
                out.extend(keys(a));
            }
        }
        out
    }

    /// Every table of the file format lists, in the schema, exactly the keys engram reads.
    #[test]
    fn the_schema_allows_exactly_the_keys_engram_reads() {
        let root = circuit_schema();
        let item = |name: &str| root["properties"][name]["items"].clone();
        let phase = item("phase");
        let sweep = item("sweep");
        let cases: Vec<(&str, Value, &[&str])> = vec![
            ("circuit", root.clone(), serde_names::<CircuitToml>()),
            (
                "output",
                root["properties"]["output"].clone(),
                serde_names::<OutputToml>(),
            ),
            ("pattern", item("pattern"), serde_names::<PatternToml>()),
            ("population", item("population"), serde_names::<PopulationToml>()),
            ("stimulus", item("stimulus"), serde_names::<StimulusToml>()),
            ("projection", item("projection"), serde_names::<ProjectionToml>()),
            ("recorder", item("recorder"), serde_names::<RecorderToml>()),
            ("phase", phase.clone(), serde_names::<PhaseToml>()),
            (
                "present",
                phase["properties"]["present"]["items"].clone(),
                serde_names::<PresentToml>(),
            ),
            (
                "feedback",
                phase["properties"]["feedback"].clone(),
                serde_names::<FeedbackToml>(),
            ),
            ("readout", item("readout"), serde_names::<ReadoutToml>()),
            ("variant", item("variant"), serde_names::<VariantToml>()),
            ("sweep", sweep.clone(), serde_names::<SweepToml>()),
            (
                "sweep plot",
                sweep["properties"]["plot"].clone(),
                serde_names::<SweepPlotToml>(),
            ),
        ];
        for (what, schema, fields) in cases {
            let want: BTreeSet<String> = fields.iter().map(|s| s.to_string()).collect();
            assert!(!want.is_empty(), "{what}: serde gave no field names");
            assert_eq!(keys(&schema), want, "{what}");
        }
    }

    #[test]
    fn enum_names_are_the_ones_serde_reads() {
        assert_eq!(
            serde_names::<ReadoutKind>(),
            ["fired", "counts", "input_sum", "membrane_change", "weight_change"]
        );
    }
}
