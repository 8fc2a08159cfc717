//! What the command-line tests share: running the binary, and the check every bad file must
//! pass (exit 2 from `validate` and `run`, file:line, field, a hint, no output folder).

use std::path::Path;
use std::process::Command;

/// Runs `engram args` in `cwd`: (exit code, stdout, stderr).
pub fn engram(args: &[&str], cwd: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_engram"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `validate` and `run` on `text` both exit 2, name line `line`, `field` and `words`, offer a
/// fix, do not panic, and leave no output folder.
pub fn assert_bad(text: &str, line: usize, field: &str, words: &str) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.toml"), text).unwrap();
    for args in [
        &["validate", "bad.toml"][..],
        &["run", "bad.toml", "--out", "res"][..],
    ] {
        let cmd = args[0];
        let (code, _, err) = engram(args, dir.path());
        assert_eq!(code, 2, "{cmd}: exit code; stderr: {err}");
        assert!(
            err.contains(&format!("bad.toml:{line}:")),
            "{cmd}: no line {line} in: {err}"
        );
        assert!(err.contains(field), "{cmd}: field `{field}` not named in: {err}");
        assert!(err.contains(words), "{cmd}: `{words}` not in: {err}");
        assert!(err.contains("hint:"), "{cmd}: no fix offered in: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    assert!(
        !dir.path().join("res").exists(),
        "a failed run left an output folder"
    );
}
