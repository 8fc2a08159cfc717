//! Output folders: killed at any point of writing or committing, a run leaves the previous
//! result or the new one whole, and the next run leaves nothing else; two runs into one folder:
//! one writes, the other is told the folder is in use; SIGINT removes the staging folder.

use std::path::Path;
use std::process::{Command, Stdio};

/// A small circuit; `duration` sets how long it runs.
fn circuit(duration_ms: f64, sources: usize) -> String {
    format!(
        r#"name = "t"
seed = 1
duration_ms = {duration_ms}

[[stimulus]]
name = "P"
model = "poisson"
size = {sources}
rate_hz = 50.0

[[population]]
name = "N"
size = 200
model = "lif"
params = {{ tau_m = 20.0, c_m = 250.0, e_l = -70.0, v_th = -55.0, v_reset = -70.0, t_ref = 2.0, i_e = 0.0 }}

[[projection]]
name = "P->N"
pre = "P"
post = "N"
connectivity = {{ rule = "fixed_probability", p = 0.1 }}
weight = 1.0
delay_ms = 1.0
"#
    )
}

/// The seed a finished result was made with (every file of it is there).
fn result_seed(dir: &Path) -> Option<u64> {
    let s = std::fs::read_to_string(dir.join("res/t/summary.json")).ok()?;
    assert!(dir.join("res/t/report.md").exists() && dir.join("res/t/spikes.parquet").exists());
    let v: serde_json::Value = serde_json::from_str(&s).ok()?;
    v["seed"].as_u64()
}

/// Everything in `res/` but the result itself.
fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir.join("res"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "t")
        .collect()
}

fn run_with(dir: &Path, seed: &str, env: &[(&str, &str)]) -> i32 {
    let mut c = Command::new(env!("CARGO_BIN_EXE_engram"));
    c.args(["run", "t.toml", "--out", "res", "--seed", seed])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    c.status().unwrap().code().unwrap_or(-1)
}

#[test]
fn a_run_killed_while_committing_leaves_one_whole_result_and_the_next_run_nothing_else() {
    for (point, extra) in [
        ("staged", None),
        ("exchanged", None),
        ("aside", Some(("ENGRAM_FAULT_NO_EXCHANGE", "1"))),
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("t.toml"), circuit(200.0, 50)).unwrap();
        assert_eq!(run_with(dir.path(), "1", &[]), 0);
        assert_eq!(result_seed(dir.path()), Some(1));
        let mut env = vec![("ENGRAM_FAULT_AT", point)];
        env.extend(extra);
        assert_ne!(
            run_with(dir.path(), "2", &env),
            0,
            "{point}: the fault did not fire"
        );
        // Killed: the previous result or the new one, whole (the aside point leaves the
        // previous one moved aside, put back by the next run).
        let seed = result_seed(dir.path());
        match point {
            "staged" => assert_eq!(seed, Some(1), "{point}"),
            "exchanged" => assert_eq!(seed, Some(2), "{point}"),
            _ => {
                // Between the two renames: the previous result, whole, moved aside.
                assert_eq!(seed, None, "{point}");
                let aside: Vec<String> = leftovers(dir.path())
                    .into_iter()
                    .filter(|n| n.starts_with(".t.old-"))
                    .collect();
                assert_eq!(aside.len(), 1, "{point}");
                std::fs::rename(
                    dir.path().join("res").join(&aside[0]),
                    dir.path().join("res/peek"),
                )
                .unwrap();
                let s = std::fs::read_to_string(dir.path().join("res/peek/summary.json")).unwrap();
                assert!(s.contains("\"seed\": 1"), "{s}");
                std::fs::rename(
                    dir.path().join("res/peek"),
                    dir.path().join("res").join(&aside[0]),
                )
                .unwrap();
            }
        }
        assert_eq!(run_with(dir.path(), "3", &[]), 0, "{point}");
        assert_eq!(result_seed(dir.path()), Some(3), "{point}");
        assert!(
            leftovers(dir.path()).is_empty(),
            "{point}: {:?}",
            leftovers(dir.path())
        );
    }
}

#[test]
fn two_runs_into_one_folder_one_writes_the_other_is_told_it_is_in_use() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.toml"), circuit(20000.0, 2000)).unwrap();
    let spawn = |seed: &str| {
        Command::new(env!("CARGO_BIN_EXE_engram"))
            .args(["run", "t.toml", "--out", "res", "--seed", seed])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let first = spawn("1");
    std::thread::sleep(std::time::Duration::from_millis(300));
    let second = spawn("2").wait_with_output().unwrap();
    let first = first.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&second.stderr);
    assert_eq!(first.status.code(), Some(0));
    assert_eq!(second.status.code(), Some(1), "{err}");
    assert!(err.contains("in use"), "{err}");
    assert_eq!(result_seed(dir.path()), Some(1));
    assert!(leftovers(dir.path()).is_empty(), "{:?}", leftovers(dir.path()));
}

#[test]
fn sigint_removes_the_staging_folder_and_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.toml"), circuit(200.0, 50)).unwrap();
    assert_eq!(run_with(dir.path(), "1", &[]), 0);
    std::fs::write(dir.path().join("t.toml"), circuit(20000.0, 2000)).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_engram"))
        .args(["run", "t.toml", "--out", "res", "--seed", "2"])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(
        !leftovers(dir.path()).is_empty(),
        "no staging folder while running"
    );
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    assert_eq!(result_seed(dir.path()), Some(1));
    assert!(leftovers(dir.path()).is_empty(), "{:?}", leftovers(dir.path()));
}
