//! `engram schema`: the JSON Schema of circuit files accepts every file in `circuits/` and
//! refuses unknown keys, as engram does.

use std::process::Command;

fn schema() -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_engram"))
        .arg("schema")
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).expect("the schema is JSON")
}

fn as_json(toml_text: &str) -> serde_json::Value {
    serde_json::to_value(toml::from_str::<toml::Table>(toml_text).unwrap()).unwrap()
}

#[test]
fn the_schema_accepts_every_circuit_file() {
    let validator = jsonschema::draft4::new(&schema()).expect("a valid draft-04 schema");
    let mut checked = 0;
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/circuits")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let doc = as_json(&std::fs::read_to_string(&path).unwrap());
            let errors: Vec<String> = validator
                .iter_errors(&doc)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{}: {errors:?}", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 5, "{checked} files");
}

#[test]
fn the_schema_refuses_unknown_keys_everywhere() {
    let validator = jsonschema::draft4::new(&schema()).unwrap();
    let file = include_str!("../circuits/cerebellum_sdm.toml");
    for (from, to) in [
        ("seed = 1", "seed = 1\nsede = 2"),
        ("dims = \"dims\" }", "dims = \"dims\", claws = 4 }"),
        ("t_ref = 1.0 }", "t_ref = 1.0, tau_syn = 2.0 }"),
        ("exponent = \"exponent\" }", "exponent = \"exponent\", gain = 2 }"),
        ("encode = \"dual_rail\" }", "encode = \"dual_rail\", delay = 1 }"),
        ("scale = \"ltp\"", "scale = \"ltp\"\nthreshold = 0.5"),
        (
            "bits = \"purkinje_fired\" }",
            "bits = \"purkinje_fired\", spikes = \"x\" }",
        ),
        (
            "let = { dims = 4, radius = 0 }",
            "let = { dims = 4, radius = 0 }\nseed = 3",
        ),
    ] {
        assert!(file.contains(from), "{from}");
        let doc = as_json(&file.replacen(from, to, 1));
        assert!(!validator.is_valid(&doc), "accepted: {to}");
        // engram refuses it too.
        assert!(
            engram::experiment::parse("x.toml", &file.replacen(from, to, 1)).is_err(),
            "engram accepted: {to}"
        );
    }
}

/// Keys and values that no file in `circuits/` uses but engram accepts: the schema accepts
/// them too.
#[test]
fn the_schema_accepts_what_engram_accepts_beyond_the_shipped_files() {
    let validator = jsonschema::draft4::new(&schema()).unwrap();
    let file = include_str!("../circuits/cerebellum_sdm.toml");
    for extra in [
        "[[readout]]\nname = \"pf_dw\"\nkind = \"weight_change\"\nprojection = \"parallel_fibre\"\nphases = [\"write\"]\nfrom_ms = 0.0\nto_ms = 290.0\n",
        "[[readout]]\nname = \"pc_fired\"\nkind = \"fired\"\npopulation = \"purkinje\"\nphases = [\"read\"]\nfrom_ms = 0.0\nto_ms = 10.0\n",
    ] {
        let text = format!("{file}\n{extra}");
        if let Err(e) = engram::experiment::parse("x.toml", &text) {
            panic!("engram refused {extra}: {e}");
        }
        let doc = as_json(&text);
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "the schema refused {extra}: {errors:?}");
    }
}

#[test]
fn every_circuit_file_validates_with_its_variants_and_sweeps() {
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/circuits")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                !text.lines().any(|l| l.trim_start().starts_with("circuit =")),
                "{}",
                path.display()
            );
            if let Err(e) = engram::experiment::parse(&path.display().to_string(), &text) {
                panic!("{e}");
            }
        }
    }
}
