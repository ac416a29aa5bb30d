//! The README is the contract: every `console` block in it is run and its output compared.
//!
//! A block is a series of `$ plugctl ...` commands, each followed by its expected output
//! (stdout, then stderr). A line `...` skips any number of lines; `$ echo $?` checks the exit
//! code of the command before it. Commands run from the repository root without configuration.

use crate::support::Sandbox;

struct Example {
    command: String,
    expected: Vec<String>,
    exit_code: Option<i32>,
}

fn examples(readme: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut in_console = false;
    let mut next_is_exit_code = false;
    for line in readme.lines() {
        if line.trim_start().starts_with("```") {
            in_console = line.trim() == "```console";
            continue;
        }
        if !in_console {
            continue;
        }
        if line == "$ echo $?" {
            next_is_exit_code = true;
        } else if let Some(cmd) = line.strip_prefix("$ ") {
            out.push(Example {
                command: cmd.to_string(),
                expected: Vec::new(),
                exit_code: None,
            });
        } else if let Some(last) = out.last_mut() {
            if next_is_exit_code {
                last.exit_code = Some(line.trim().parse().expect("an exit code after `echo $?`"));
                next_is_exit_code = false;
            } else {
                last.expected.push(line.trim_end().to_string());
            }
        }
    }
    out
}

/// Matches actual lines against expected ones, where "..." matches any run of lines.
fn matches(expected: &[String], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "..." => {
            (0..=actual.len()).any(|skip| matches(rest, &actual[skip..]))
        }
        Some((first, rest)) => {
            actual.first().is_some_and(|a| a.trim_end() == first) && matches(rest, &actual[1..])
        }
    }
}

#[test]
fn readme_console_examples_are_true() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let examples = examples(&readme);
    assert!(
        examples.len() >= 5,
        "found only {} examples",
        examples.len()
    );
    let sb = Sandbox::new();
    for ex in examples {
        let args: Vec<&str> = ex.command.split_whitespace().collect();
        assert_eq!(
            args[0], "plugctl",
            "README commands start with plugctl: {}",
            ex.command
        );
        let out = sb
            .cmd()
            .current_dir(root)
            .arg("--no-config")
            .args(&args[1..])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let actual: Vec<&str> = stdout.lines().chain(stderr.lines()).collect();
        assert!(
            matches(&ex.expected, &actual),
            "README example `{}` is out of date.\nexpected:\n{}\nactual:\n{}",
            ex.command,
            ex.expected.join("\n"),
            actual.join("\n")
        );
        let code = out.status.code().unwrap_or(-1);
        assert_eq!(
            code,
            ex.exit_code.unwrap_or(0),
            "exit code of `{}`",
            ex.command
        );
    }
}
