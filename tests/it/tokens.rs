//! `plugctl tokens`: counts against the reference data computed by Python tiktoken, chat
//! transcripts, limits, error paths, streaming in bounded memory, and compression.

use serde_json::{Value, json};

use crate::support::{Sandbox, data, run};
use plugctl::tokens::chat::{ChatFormula, Syntax, Transcript, count_chat};
use plugctl::tokens::{Counter, Encoding};

fn reference_cases(name: &str) -> Vec<Value> {
    std::fs::read_to_string(data(&format!("tokens/{name}")))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn json_out(cmd: &mut assert_cmd::Command) -> Value {
    let (code, out, err) = run(cmd);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn library_counts_equal_tiktoken_reference_cases() {
    let cases = reference_cases("text_cases.jsonl");
    assert!(cases.len() > 200);
    for case in &cases {
        let encoding = Encoding::from_name(case["encoding"].as_str().unwrap()).unwrap();
        let text = case["text"].as_str().unwrap();
        let expected = case["tokens"].as_u64().unwrap() as usize;
        let counter = Counter::new(encoding);
        assert_eq!(counter.count(text), expected, "{}", case["id"]);
        assert_eq!(
            counter.count_parallel(text),
            expected,
            "{} (parallel)",
            case["id"]
        );
    }
}

#[test]
fn binary_counts_equal_tiktoken_reference_cases() {
    // One run per encoding with every case of that encoding as its own file.
    let sb = Sandbox::new();
    let cases = reference_cases("text_cases.jsonl");
    for encoding in ["o200k_base", "cl100k_base", "p50k_base", "r50k_base"] {
        let mine: Vec<&Value> = cases.iter().filter(|c| c["encoding"] == encoding).collect();
        let paths: Vec<_> = mine
            .iter()
            .map(|c| {
                sb.write(
                    &format!("{}.txt", c["id"].as_str().unwrap()),
                    c["text"].as_str().unwrap(),
                )
            })
            .collect();
        let report = json_out(
            sb.cmd()
                .args([
                    "--output",
                    "json",
                    "tokens",
                    "count",
                    "--encoding",
                    encoding,
                ])
                .args(&paths),
        );
        let inputs = report["inputs"].as_array().unwrap();
        assert_eq!(inputs.len(), mine.len());
        let mut total = 0;
        for (case, got) in mine.iter().zip(inputs) {
            assert_eq!(got["tokens"], case["tokens"], "{}", case["id"]);
            assert_eq!(got["format"], "text");
            total += case["tokens"].as_u64().unwrap();
        }
        assert_eq!(report["total"].as_u64().unwrap(), total);
        assert_eq!(report["encoding"], encoding);
    }
}

#[test]
fn special_token_strings_are_ordinary_text() {
    let sb = Sandbox::new();
    let case = reference_cases("text_cases.jsonl")
        .into_iter()
        .find(|c| c["tokens_special_allowed"].is_u64() && c["encoding"] == "o200k_base")
        .expect("a case with special-token text");
    let report = json_out(
        sb.cmd()
            .args(["--output", "json", "tokens", "count"])
            .write_stdin(case["text"].as_str().unwrap()),
    );
    assert_eq!(report["total"], case["tokens"]);
    assert_ne!(report["total"], case["tokens_special_allowed"]);
}

#[test]
fn chat_transcripts_follow_the_cookbook_reference() {
    let sb = Sandbox::new();
    let cases = reference_cases("chat_cases.jsonl");
    for model in ["gpt-3.5-turbo", "gpt-4", "gpt-4o"] {
        let paths: Vec<_> = cases
            .iter()
            .map(|c| {
                sb.write(
                    &format!("{}.json", c["id"].as_str().unwrap()),
                    c["messages"].to_string(),
                )
            })
            .collect();
        let report = json_out(
            sb.cmd()
                .args(["--output", "json", "tokens", "count", "--model", model])
                .args(&paths),
        );
        for (case, got) in cases.iter().zip(report["inputs"].as_array().unwrap()) {
            assert_eq!(got["format"], "chat");
            assert_eq!(
                got["tokens"], case["tokens"][model],
                "{} with {model}",
                case["id"]
            );
        }
    }
}

#[test]
fn chat_in_jsonl_yaml_and_request_form_count_the_same() {
    let sb = Sandbox::new();
    let case = &reference_cases("chat_cases.jsonl")[0];
    let messages = case["messages"].as_array().unwrap();
    let expected = &case["tokens"]["gpt-4o"];
    let jsonl: String = messages.iter().map(|m| format!("{m}\n")).collect();
    let yaml = serde_yaml::to_string(&messages).unwrap();
    let request = json!({"model": "gpt-4o", "messages": messages, "temperature": 0}).to_string();
    let files = [
        sb.write("chat.jsonl", jsonl.as_bytes()),
        sb.write("chat.yaml", yaml.as_bytes()),
        sb.write("request.json", request.as_bytes()),
    ];
    let report = json_out(
        sb.cmd()
            .args(["--output", "json", "tokens", "count", "--model", "gpt-4o"])
            .args(&files),
    );
    for got in report["inputs"].as_array().unwrap() {
        assert_eq!(&got["tokens"], expected, "{}", got["input"]);
    }
    // --format chat on stdin sniffs the syntax.
    let report = json_out(
        sb.cmd()
            .args([
                "--output", "json", "tokens", "count", "--model", "gpt-4o", "--format", "chat",
            ])
            .write_stdin(jsonl),
    );
    assert_eq!(&report["total"], expected);
}

#[test]
fn per_message_rows_add_up() {
    let sb = Sandbox::new();
    let case = &reference_cases("chat_cases.jsonl")[0];
    let path = sb.write("chat.json", case["messages"].to_string());
    let report = json_out(
        sb.cmd()
            .args([
                "--output",
                "json",
                "tokens",
                "count",
                "--per-message",
                "--model",
                "gpt-4",
            ])
            .arg(&path),
    );
    let chat = &report["inputs"][0]["chat"];
    let rows = chat["per_message"].as_array().unwrap();
    assert_eq!(rows.len(), case["messages"].as_array().unwrap().len());
    let sum: u64 = rows.iter().map(|r| r["tokens"].as_u64().unwrap()).sum();
    assert_eq!(
        sum + chat["reply_priming"].as_u64().unwrap(),
        case["tokens"]["gpt-4"].as_u64().unwrap()
    );
    assert_eq!(rows[0]["role"], "system");

    let (code, out, _) = run(sb
        .cmd()
        .args(["tokens", "count", "--per-message", "--model", "gpt-4"])
        .arg(&path));
    assert_eq!(code, 0);
    assert!(
        out.contains("(reply priming)") && out.contains("system"),
        "{out}"
    );
}

#[test]
fn tools_add_their_cookbook_cost() {
    let sb = Sandbox::new();
    let messages =
        json!([{"role": "user", "content": "What's the weather like in San Francisco?"}]);
    let tools = json!([{"type": "function", "function": {
        "name": "get_current_weather",
        "description": "Get the current weather in a given location",
        "parameters": {"type": "object", "properties": {
            "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
            "unit": {"type": "string", "description": "The unit of temperature to return", "enum": ["celsius", "fahrenheit"]}
        }, "required": ["location"]}
    }}]);
    let plain = sb.write("plain.json", messages.to_string());
    let with_tools = sb.write(
        "tools.json",
        json!({"messages": messages, "tools": tools}).to_string(),
    );
    let report = json_out(
        sb.cmd()
            .args(["--output", "json", "tokens", "count", "--model", "gpt-4o"])
            .args([&plain, &with_tools]),
    );
    let (a, b) = (&report["inputs"][0], &report["inputs"][1]);
    let tools_tokens = b["chat"]["tools_tokens"].as_u64().unwrap();
    assert!(tools_tokens > 20, "{b}");
    assert_eq!(
        b["tokens"].as_u64().unwrap(),
        a["tokens"].as_u64().unwrap() + tools_tokens
    );
}

#[test]
fn many_files_give_a_total_row() {
    let sb = Sandbox::new();
    let a = sb.write("a.txt", "hello world");
    let b = sb.write("b.txt", "goodbye, cruel world");
    let (code, out, _) = run(sb.cmd().args(["tokens", "count"]).args([&a, &b]));
    assert_eq!(code, 0);
    assert!(out.contains("a.txt") && out.contains("b.txt"), "{out}");
    let total_line = out
        .lines()
        .find(|l| l.contains("total"))
        .expect("a total row");
    let expected = Counter::new(Encoding::O200kBase).count("hello world")
        + Counter::new(Encoding::O200kBase).count("goodbye, cruel world");
    assert!(
        total_line.contains(&format!(" {expected} ")),
        "{total_line}"
    );
}

#[test]
fn limit_fails_with_the_check_code_naming_the_input() {
    let sb = Sandbox::new();
    let small = sb.write("small.txt", "tiny");
    let text = "many words ".repeat(100);
    let big = sb.write("big.txt", &text);
    let n = Counter::new(Encoding::O200kBase).count(&text);
    let (code, _, err) = run(sb
        .cmd()
        .args(["tokens", "count", "--limit", "50"])
        .args([&small, &big]));
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains(&format!("big.txt has {n} tokens, over the limit of 50")),
        "{err}"
    );
    assert!(!err.contains("small.txt"), "{err}");
    let (code, _, _) = run(sb
        .cmd()
        .args(["tokens", "count", "--limit", &n.to_string()])
        .arg(&big));
    assert_eq!(code, 0, "a count equal to the limit passes");
}

#[test]
fn invalid_utf8_names_line_and_column() {
    let sb = Sandbox::new();
    let path = sb.write("bad.txt", b"ok line\nsecond \xc3\x28 line\n");
    let (code, _, err) = run(sb.cmd().args(["tokens", "count"]).arg(&path));
    assert_eq!(code, 1);
    assert!(
        err.contains("bad.txt") && err.contains("invalid UTF-8 at line 2, column 8"),
        "{err}"
    );
    assert!(err.contains("hint:"), "{err}");
}

#[test]
fn malformed_transcripts_name_the_place() {
    let sb = Sandbox::new();
    let cases = [
        (
            "broken.json",
            "[\n {\"role\": \"user\",\n  \"content\": oops}\n]",
            "invalid JSON at line 3",
        ),
        (
            "broken.jsonl",
            "{\"role\":\"user\",\"content\":\"a\"}\n{\"role\":\n",
            "invalid JSONL at line 2",
        ),
        (
            "broken.yaml",
            "- role: user\n  content: [a\n",
            "invalid YAML at line",
        ),
        (
            "shape.json",
            "[{\"role\": \"user\", \"content\": 42}]",
            "messages[0].content",
        ),
        ("norole.json", "[{\"content\": \"hi\"}]", "needs a `role`"),
    ];
    for (name, text, needle) in cases {
        let path = sb.write(name, text);
        let (code, out, err) = run(sb.cmd().args(["tokens", "count"]).arg(&path));
        assert_eq!(code, 1, "{name}: {err}");
        assert!(out.is_empty());
        assert!(err.contains(name) && err.contains(needle), "{name}: {err}");
        assert_eq!(
            err.lines().count(),
            2,
            "{name}: one error line and a hint: {err}"
        );
    }
}

#[test]
fn unknown_model_lists_known_ones() {
    let sb = Sandbox::new();
    let (code, _, err) = run(sb
        .cmd()
        .args(["tokens", "count", "--model", "claude-3"])
        .write_stdin("x"));
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown model \"claude-3\"") && err.contains("gpt-4o"),
        "{err}"
    );
    let (code, _, err) = run(sb
        .cmd()
        .args(["tokens", "count", "--encoding", "o200k"])
        .write_stdin("x"));
    assert_eq!(code, 2);
    assert!(
        err.contains("o200k_base, o200k_harmony, cl100k_base, p50k_base, r50k_base"),
        "{err}"
    );
}

#[test]
fn a_million_spaces_then_a_letter_counts_without_crashing() {
    let sb = Sandbox::new();
    let text = format!("{}x", " ".repeat(1_000_000));
    let path = sb.write("spaces.txt", &text);
    for encoding in ["o200k_base", "cl100k_base", "p50k_base"] {
        let report = json_out(
            sb.cmd()
                .args([
                    "--output",
                    "json",
                    "tokens",
                    "count",
                    "--encoding",
                    encoding,
                ])
                .arg(&path),
        );
        let expected = Counter::new(Encoding::from_name(encoding).unwrap()).count(&text);
        assert_eq!(
            report["total"].as_u64().unwrap() as usize,
            expected,
            "{encoding}"
        );
    }
}

/// Deterministic text mixing scripts, code, emoji and whitespace/digit runs.
fn mixed_text(bytes: usize) -> String {
    let atoms = [
        "The quick brown fox jumps over the lazy dog. ",
        "fn main() {\n    println!(\"{}\", 42);\n}\n",
        "日本語のテキストです。",
        "Съешь же ещё этих мягких французских булок. ",
        "مرحبا بالعالم ",
        "🚀🔥👍🏽 ",
        "\n\n",
        "        ",
        "1234567890",
        "./path/to/file\n/usr/bin\n",
        "It's what they'd've said.\n",
    ];
    let mut state: u64 = 42;
    let mut text = String::with_capacity(bytes + 64);
    while text.len() < bytes {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        text.push_str(atoms[(state >> 33) as usize % atoms.len()]);
    }
    text
}

#[test]
fn parallel_streamed_count_equals_single_threaded_count() {
    let sb = Sandbox::new();
    let text = mixed_text(20 * 1024 * 1024);
    let path = sb.write("mixed.txt", &text);
    let expected = Counter::new(Encoding::O200kBase).count(&text);
    let report = json_out(
        sb.cmd()
            .args(["--output", "json", "tokens", "count"])
            .arg(&path),
    );
    assert_eq!(report["total"].as_u64().unwrap() as usize, expected);
    assert_eq!(
        report["inputs"][0]["bytes"].as_u64().unwrap() as usize,
        text.len()
    );
}

/// Peak resident memory (KiB) of `plugctl` run with `args`, read from /proc while it runs:
/// getrusage would mix in the other tests' children.
fn peak_rss_kib(args: &[&std::ffi::OsStr]) -> u64 {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_plugctl"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_path) {
            let hwm = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
            peak = peak.max(hwm.unwrap_or(0));
        }
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success());
            return peak;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

#[test]
fn memory_does_not_grow_with_input_size() {
    let sb = Sandbox::new();
    // 96 MB of text; the counter reads 8 MB blocks, so its peak stays near that of a tiny input.
    let big = sb.write("big.txt", mixed_text(1024 * 1024).repeat(96));
    let tiny = sb.write("tiny.txt", "hello");
    let count = std::ffi::OsStr::new("count");
    let tokens = std::ffi::OsStr::new("tokens");
    let base = peak_rss_kib(&[tokens, count, tiny.as_os_str()]);
    let peak = peak_rss_kib(&[tokens, count, big.as_os_str()]);
    assert!(base > 0, "could not read /proc");
    assert!(
        peak < base + 48 * 1024,
        "peak RSS {peak} KiB for a 96 MB input vs {base} KiB for a tiny one"
    );
}

#[test]
fn library_chat_api_matches_the_binary() {
    let case = &reference_cases("chat_cases.jsonl")[2];
    let t = Transcript::parse(&case["messages"].to_string(), Syntax::Json).unwrap();
    let counter = Counter::new(Encoding::Cl100kBase);
    let n = count_chat(
        &counter,
        &ChatFormula::new(Encoding::Cl100kBase, Some("gpt-4")),
        &t,
    )
    .total;
    assert_eq!(n as u64, case["tokens"]["gpt-4"].as_u64().unwrap());
}

fn long_history(turns: usize) -> Value {
    let mut v = vec![json!({"role": "system", "content": "You are a terse assistant."})];
    for i in 0..turns {
        v.push(json!({"role": "user", "content": format!("Question {i}: what is {i} squared, and why does it matter?")}));
        v.push(json!({"role": "assistant", "content": format!("{} — it matters because it is turn {i}.", i * i)}));
    }
    Value::Array(v)
}

#[test]
fn compress_fits_the_budget_and_the_output_counts_as_reported() {
    let sb = Sandbox::new();
    let path = sb.write("history.json", long_history(40).to_string());
    for strategy in ["last", "first", "middle-out"] {
        let (code, out, err) = run(sb
            .cmd()
            .args([
                "tokens",
                "compress",
                "--max-tokens",
                "300",
                "--reserve-output",
                "50",
                "--strategy",
                strategy,
            ])
            .arg(&path));
        assert_eq!(code, 0, "{strategy}: {err}");
        assert!(err.starts_with("kept "), "{strategy}: {err}");
        let trimmed: Value = serde_json::from_str(&out).unwrap();
        let messages = trimmed.as_array().unwrap();
        assert_eq!(
            messages[0]["role"], "system",
            "{strategy}: the system message is pinned"
        );
        assert!(messages.len() < 81);
        // Count what was written with `tokens count`: it must fit next to the reserve.
        let out_path = sb.write(&format!("out-{strategy}.json"), &out);
        let report = json_out(
            sb.cmd()
                .args(["--output", "json", "tokens", "count"])
                .arg(&out_path),
        );
        let used = report["total"].as_u64().unwrap();
        assert!(used + 50 <= 300, "{strategy}: {used} + 50 > 300");
        assert!(
            used + 50 > 300 - 40,
            "{strategy}: the budget should be mostly used ({used})"
        );
    }
}

#[test]
fn compress_keeps_the_newest_with_last() {
    let sb = Sandbox::new();
    let path = sb.write("history.json", long_history(40).to_string());
    let (code, out, _) = run(sb
        .cmd()
        .args(["-q", "tokens", "compress", "--max-tokens", "200"])
        .arg(&path));
    assert_eq!(code, 0);
    let messages: Vec<Value> = serde_json::from_str(&out).unwrap();
    let last = messages.last().unwrap();
    assert!(
        last["content"].as_str().unwrap().contains("turn 39"),
        "{last}"
    );
}

#[test]
fn compress_writes_the_same_format_to_a_file_atomically() {
    let sb = Sandbox::new();
    let history = long_history(10);
    let jsonl: String = history
        .as_array()
        .unwrap()
        .iter()
        .map(|m| format!("{m}\n"))
        .collect();
    let path = sb.write("history.jsonl", &jsonl);
    let out = sb.path().join("short.jsonl");
    let (code, stdout, err) = run(sb
        .cmd()
        .args(["tokens", "compress", "--max-tokens", "120", "-o"])
        .arg(&out)
        .arg(&path));
    assert_eq!(code, 0, "{err}");
    assert!(stdout.is_empty());
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(
        written
            .lines()
            .all(|l| serde_json::from_str::<Value>(l).is_ok()),
        "{written}"
    );
    assert!(written.lines().count() < 21);
    // Only the output file was added: no temporary files left.
    let names: Vec<_> = std::fs::read_dir(sb.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        names.iter().all(|n| !n.to_string_lossy().contains(".tmp")),
        "{names:?}"
    );
}

#[test]
fn compress_explains_in_json() {
    let sb = Sandbox::new();
    let path = sb.write(
        "history.yaml",
        serde_yaml::to_string(&long_history(5)).unwrap(),
    );
    let (code, out, err) = run(sb
        .cmd()
        .args([
            "--output",
            "json",
            "tokens",
            "compress",
            "--max-tokens",
            "100",
            "--explain",
        ])
        .arg(&path));
    assert_eq!(code, 0, "{err}");
    assert!(
        serde_yaml::from_str::<Value>(&out).unwrap().is_array(),
        "output stays YAML: {out}"
    );
    let report: Value = serde_json::from_str(&err).unwrap();
    assert_eq!(report["messages_before"], 11);
    let decisions = report["decisions"].as_array().unwrap();
    assert_eq!(decisions.len(), 11);
    assert_eq!(decisions[0]["action"], "kept");
    assert!(
        decisions
            .iter()
            .any(|d| d["action"] == "dropped" && d["reason"] == "over the budget")
    );
    assert!(report["tokens_after"].as_u64().unwrap() <= 100);
}

#[test]
fn compress_partial_uses_the_budget_exactly() {
    let sb = Sandbox::new();
    let long = "All work and no play makes Jack a dull boy. ".repeat(50);
    let history = json!([
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": long},
        {"role": "assistant", "content": "Noted."}
    ]);
    let path = sb.write("h.json", history.to_string());
    let (code, out, err) = run(sb
        .cmd()
        .args([
            "--output",
            "json",
            "tokens",
            "compress",
            "--max-tokens",
            "150",
            "--partial",
            "--explain",
        ])
        .arg(&path));
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&err).unwrap();
    assert_eq!(report["tokens_after"], 150);
    assert_eq!(report["decisions"][1]["action"], "cut");
    let out_path = sb.write("out.json", &out);
    let counted = json_out(
        sb.cmd()
            .args(["--output", "json", "tokens", "count"])
            .arg(&out_path),
    );
    assert_eq!(counted["total"], 150);
}

#[test]
fn compress_budget_below_pinned_is_a_clear_error() {
    let sb = Sandbox::new();
    let path = sb.write("h.json", long_history(2).to_string());
    let (code, out, err) = run(sb
        .cmd()
        .args(["tokens", "compress", "--max-tokens", "10"])
        .arg(&path));
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(
        err.contains("budget of 10 tokens is smaller than what must be kept"),
        "{err}"
    );
    assert!(err.contains("hint: raise --max-tokens"), "{err}");
    let (code, _, err) = run(sb
        .cmd()
        .args([
            "tokens",
            "compress",
            "--max-tokens",
            "100",
            "--strategy",
            "random",
        ])
        .arg(&path));
    assert_eq!(code, 2, "{err}");
}

#[test]
fn compress_never_splits_a_tool_call_from_its_result() {
    let sb = Sandbox::new();
    let mut messages = vec![json!({"role": "system", "content": "Use tools."})];
    for i in 0..20 {
        messages.push(json!({"role": "user", "content": format!("look up item {i}")}));
        messages.push(json!({"role": "assistant", "content": null, "tool_calls": [
            {"id": format!("call_{i}"), "type": "function", "function": {"name": "lookup", "arguments": format!("{{\"item\": {i}}}")}}
        ]}));
        messages.push(json!({"role": "tool", "tool_call_id": format!("call_{i}"), "content": format!("item {i} is in stock")}));
    }
    let path = sb.write("tools.json", Value::Array(messages).to_string());
    for budget in (60..400).step_by(23) {
        for strategy in ["last", "first", "middle-out"] {
            let (code, out, err) = run(sb
                .cmd()
                .args([
                    "-q",
                    "tokens",
                    "compress",
                    "--strategy",
                    strategy,
                    "--max-tokens",
                    &budget.to_string(),
                ])
                .arg(&path));
            assert_eq!(code, 0, "{err}");
            let kept: Vec<Value> = serde_json::from_str(&out).unwrap();
            let calls: Vec<&str> = kept
                .iter()
                .filter_map(|m| m["tool_calls"][0]["id"].as_str())
                .collect();
            let results: Vec<&str> = kept
                .iter()
                .filter_map(|m| m["tool_call_id"].as_str())
                .collect();
            assert_eq!(
                calls, results,
                "{strategy} at {budget}: calls and results must pair up"
            );
        }
    }
}
