//! Chat transcripts: reading them (JSON, JSONL, YAML), counting their prompt tokens with OpenAI's
//! cookbook formula, and writing them back in the syntax they came in.
//!
//! The formula (openai-cookbook, "How to count tokens with tiktoken"): every message costs a fixed
//! overhead plus the tokens of each of its string values (role, content, name, ...), a `name`
//! costs one more, and the reply is primed with 3 tokens. Message text is ordinary text: a
//! `<|endoftext|>` typed by a user is seven tokens of text, not one special token. Tool
//! definitions use the cookbook's `num_tokens_for_tools` formula. The cookbook says nothing about
//! content parts and `tool_calls`; plugctl counts the text the model reads there (text parts,
//! function names and arguments) and documents that this is an estimate.

use serde_json::{Map, Value};

use super::error::Position;
use super::{Counter, Encoding, TokensError};

/// The syntax a transcript is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Json,
    Jsonl,
    Yaml,
}

impl Syntax {
    /// The syntax a file extension implies, if it implies a transcript.
    pub fn from_extension(ext: &str) -> Option<Self> {
        match ext {
            "json" => Some(Syntax::Json),
            "jsonl" | "ndjson" => Some(Syntax::Jsonl),
            "yaml" | "yml" => Some(Syntax::Yaml),
            _ => None,
        }
    }

    /// Guesses the syntax of a transcript read from stdin.
    pub fn sniff(text: &str) -> Self {
        let trimmed = text.trim_start();
        if trimmed.starts_with('[') {
            Syntax::Json
        } else if trimmed.starts_with('{') {
            // One object spread over lines is JSON; one object per line is JSONL.
            let objects_per_line = trimmed
                .lines()
                .filter(|l| !l.trim().is_empty())
                .all(|l| l.trim_start().starts_with('{') && l.trim_end().ends_with('}'));
            if objects_per_line && trimmed.lines().filter(|l| !l.trim().is_empty()).count() > 1 {
                Syntax::Jsonl
            } else {
                Syntax::Json
            }
        } else {
            Syntax::Yaml
        }
    }

    fn name(self) -> &'static str {
        match self {
            Syntax::Json => "JSON",
            Syntax::Jsonl => "JSONL",
            Syntax::Yaml => "YAML",
        }
    }
}

/// A parsed transcript: the messages, the tool definitions, and what surrounded them.
#[derive(Debug, Clone, PartialEq)]
pub struct Transcript {
    pub syntax: Syntax,
    /// For a request object (`{"model": ..., "messages": [...], "tools": [...]}`): the object,
    /// whose `messages` value is replaced when the transcript is written back.
    envelope: Option<Map<String, Value>>,
    /// Each message is a JSON object with at least a string `role` (checked by [`parse`]).
    pub messages: Vec<Value>,
    /// Function definitions from `tools` (type function) or the legacy `functions`.
    pub functions: Vec<Value>,
}

impl Transcript {
    /// Parses a transcript; errors carry the line and column of bad syntax, or the path of a
    /// value of the wrong shape (`messages[2].content`).
    pub fn parse(text: &str, syntax: Syntax) -> Result<Self, TokensError> {
        let doc = match syntax {
            Syntax::Json => {
                serde_json::from_str::<Value>(text).map_err(|e| json_error(syntax, &e, 0))?
            }
            Syntax::Yaml => {
                serde_yaml::from_str::<Value>(text).map_err(|e| TokensError::Syntax {
                    syntax: syntax.name(),
                    at: e
                        .location()
                        .map(|l| Position {
                            line: l.line(),
                            column: l.column(),
                        })
                        .unwrap_or(Position { line: 1, column: 1 }),
                    message: crate::error::parse_message(&e.to_string()),
                })?
            }
            Syntax::Jsonl => {
                let mut messages = Vec::new();
                for (i, line) in text.lines().enumerate() {
                    if line.trim().is_empty() {
                        continue;
                    }
                    let value = serde_json::from_str::<Value>(line)
                        .map_err(|e| json_error(syntax, &e, i))?;
                    check_message(&value, &format!("line {}", i + 1))?;
                    messages.push(value);
                }
                return Ok(Self {
                    syntax,
                    envelope: None,
                    messages,
                    functions: Vec::new(),
                });
            }
        };
        Self::from_document(doc, syntax)
    }

    fn from_document(doc: Value, syntax: Syntax) -> Result<Self, TokensError> {
        let (envelope, messages, path) = match doc {
            Value::Array(items) => (None, items, "messages"),
            Value::Object(mut obj) => match obj.get_mut("messages").map(Value::take) {
                Some(Value::Array(items)) => (Some(obj), items, "messages"),
                Some(_) => return Err(shape("`messages` must be a list")),
                None if obj.contains_key("role") => (None, vec![Value::Object(obj)], "message"),
                None => return Err(shape("an object without a `messages` list")),
            },
            Value::Null => (None, Vec::new(), "messages"),
            other => {
                return Err(shape(&format!(
                    "expected a list of messages, found {}",
                    kind(&other)
                )));
            }
        };
        for (i, m) in messages.iter().enumerate() {
            check_message(m, &format!("{path}[{i}]"))?;
        }
        let functions = match &envelope {
            Some(env) => collect_functions(env)?,
            None => Vec::new(),
        };
        Ok(Self {
            syntax,
            envelope,
            messages,
            functions,
        })
    }

    /// A transcript of chat messages built in memory (by `plugctl serve`, for each turn). Every
    /// message must be an object with a string `role`; it is written back as JSON.
    pub fn from_messages(messages: Vec<Value>) -> Self {
        Self {
            syntax: Syntax::Json,
            envelope: None,
            messages,
            functions: Vec::new(),
        }
    }

    /// The `role` of message `i`.
    pub fn role(&self, i: usize) -> &str {
        self.messages[i]["role"].as_str().unwrap_or_default()
    }

    /// Writes the transcript back in its own syntax; a request keeps all its other fields.
    pub fn render(&self) -> Result<Vec<u8>, TokensError> {
        let doc = match &self.envelope {
            Some(env) => {
                let mut env = env.clone();
                env.insert("messages".into(), Value::Array(self.messages.clone()));
                Value::Object(env)
            }
            None => Value::Array(self.messages.clone()),
        };
        let mut out = match self.syntax {
            Syntax::Json => serde_json::to_vec_pretty(&doc).map_err(std::io::Error::other)?,
            Syntax::Jsonl => {
                let mut out = Vec::new();
                for m in &self.messages {
                    serde_json::to_writer(&mut out, m).map_err(std::io::Error::other)?;
                    out.push(b'\n');
                }
                return Ok(out);
            }
            Syntax::Yaml => serde_yaml::to_string(&doc)
                .map_err(std::io::Error::other)?
                .into_bytes(),
        };
        if !out.ends_with(b"\n") {
            out.push(b'\n');
        }
        Ok(out)
    }

    /// Replaces the messages (used by compression, which only removes or shortens them).
    pub fn with_messages(&self, messages: Vec<Value>) -> Self {
        Self {
            messages,
            ..self.clone()
        }
    }
}

/// The per-model constants of the cookbook formula.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatFormula {
    pub per_message: i64,
    pub per_name: i64,
    pub reply_priming: i64,
    tools: ToolConstants,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ToolConstants {
    func_init: i64,
    prop_init: i64,
    prop_key: i64,
    enum_init: i64,
    enum_item: i64,
    func_end: i64,
}

impl ChatFormula {
    /// The cookbook's constants: gpt-3.5-turbo-0301 had 4 tokens per message and a name replaced
    /// the role (-1); every later chat model uses 3 and +1. Tool definitions cost 7 tokens each
    /// on the o200k models and 10 on the cl100k ones.
    pub fn new(encoding: Encoding, model: Option<&str>) -> Self {
        let legacy = model.is_some_and(|m| m == "gpt-3.5-turbo-0301");
        let func_init = match encoding {
            Encoding::O200kBase | Encoding::O200kHarmony => 7,
            _ => 10,
        };
        Self {
            per_message: if legacy { 4 } else { 3 },
            per_name: if legacy { -1 } else { 1 },
            reply_priming: 3,
            tools: ToolConstants {
                func_init,
                prop_init: 3,
                prop_key: 3,
                enum_init: -3,
                enum_item: 3,
                func_end: 12,
            },
        }
    }

    /// Tokens of one message, overhead included.
    pub fn message_tokens(&self, counter: &Counter, message: &Value) -> usize {
        let Some(obj) = message.as_object() else {
            return 0;
        };
        let mut n = self.per_message;
        for (key, value) in obj {
            match value {
                Value::String(s) => {
                    n += counter.count(s) as i64;
                    if key == "name" {
                        n += self.per_name;
                    }
                }
                Value::Array(parts) if key == "content" => {
                    n += parts
                        .iter()
                        .filter_map(|p| p.get("text").and_then(Value::as_str))
                        .map(|t| counter.count(t) as i64)
                        .sum::<i64>();
                }
                Value::Array(calls) if key == "tool_calls" => {
                    for call in calls {
                        let f = &call["function"];
                        for field in ["name", "arguments"] {
                            if let Some(s) = f.get(field).and_then(Value::as_str) {
                                n += counter.count(s) as i64;
                            }
                        }
                    }
                }
                Value::Object(call) if key == "function_call" => {
                    for field in ["name", "arguments"] {
                        if let Some(s) = call.get(field).and_then(Value::as_str) {
                            n += counter.count(s) as i64;
                        }
                    }
                }
                _ => {}
            }
        }
        n.max(0) as usize
    }

    /// Tokens of the tool definitions (the cookbook's `num_tokens_for_tools`); 0 without tools.
    pub fn tools_tokens(&self, counter: &Counter, functions: &[Value]) -> usize {
        if functions.is_empty() {
            return 0;
        }
        let c = self.tools;
        let mut n = 0i64;
        for f in functions {
            n += c.func_init;
            let name = f["name"].as_str().unwrap_or_default();
            let desc = f["description"].as_str().unwrap_or_default();
            let desc = desc.strip_suffix('.').unwrap_or(desc);
            n += counter.count(&format!("{name}:{desc}")) as i64;
            let Some(props) = f["parameters"]["properties"].as_object() else {
                continue;
            };
            if props.is_empty() {
                continue;
            }
            n += c.prop_init;
            for (key, prop) in props {
                n += c.prop_key;
                if let Some(items) = prop.get("enum").and_then(Value::as_array) {
                    n += c.enum_init;
                    for item in items {
                        n += c.enum_item;
                        n += counter.count(&plain_string(item)) as i64;
                    }
                }
                let ty = prop.get("type").map(plain_string).unwrap_or_default();
                let desc = prop["description"].as_str().unwrap_or_default();
                let desc = desc.strip_suffix('.').unwrap_or(desc);
                n += counter.count(&format!("{key}:{ty}:{desc}")) as i64;
            }
        }
        n += c.func_end;
        n.max(0) as usize
    }
}

/// A transcript's prompt-token count, broken down.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatCount {
    /// Tokens of each message, overhead included.
    pub messages: Vec<usize>,
    pub tools: usize,
    pub reply_priming: usize,
    pub total: usize,
}

impl ChatCount {
    /// The count of a transcript whose messages cost `messages` and tool definitions `tools`.
    pub fn new(formula: &ChatFormula, messages: Vec<usize>, tools: usize) -> Self {
        let reply_priming = formula.reply_priming as usize;
        Self {
            total: messages.iter().sum::<usize>() + tools + reply_priming,
            messages,
            tools,
            reply_priming,
        }
    }
}

/// Counts a transcript's prompt tokens.
pub fn count_chat(counter: &Counter, formula: &ChatFormula, transcript: &Transcript) -> ChatCount {
    let messages: Vec<usize> = transcript
        .messages
        .iter()
        .map(|m| formula.message_tokens(counter, m))
        .collect();
    let tools = formula.tools_tokens(counter, &transcript.functions);
    ChatCount::new(formula, messages, tools)
}

fn check_message(m: &Value, path: &str) -> Result<(), TokensError> {
    let Some(obj) = m.as_object() else {
        return Err(shape(&format!(
            "{path}: expected a message object, found {}",
            kind(m)
        )));
    };
    match obj.get("role") {
        Some(Value::String(_)) => {}
        Some(other) => {
            return Err(shape(&format!(
                "{path}.role: expected a string, found {}",
                kind(other)
            )));
        }
        None => return Err(shape(&format!("{path}: a message needs a `role`"))),
    }
    match obj.get("content") {
        None | Some(Value::Null | Value::String(_)) => {}
        Some(Value::Array(parts)) => {
            for (j, part) in parts.iter().enumerate() {
                if !part.is_object() {
                    return Err(shape(&format!(
                        "{path}.content[{j}]: expected a content part object, found {}",
                        kind(part)
                    )));
                }
                if let Some(t) = part.get("text").filter(|t| !t.is_string()) {
                    return Err(shape(&format!(
                        "{path}.content[{j}].text: expected a string, found {}",
                        kind(t)
                    )));
                }
            }
        }
        Some(other) => {
            return Err(shape(&format!(
                "{path}.content: expected a string or a list of content parts, found {}",
                kind(other)
            )));
        }
    }
    for key in ["name", "tool_call_id"] {
        if let Some(v) = obj.get(key).filter(|v| !v.is_string() && !v.is_null()) {
            return Err(shape(&format!(
                "{path}.{key}: expected a string, found {}",
                kind(v)
            )));
        }
    }
    if let Some(calls) = obj.get("tool_calls") {
        let Some(calls) = calls.as_array() else {
            return Err(shape(&format!(
                "{path}.tool_calls: expected a list, found {}",
                kind(calls)
            )));
        };
        for (j, call) in calls.iter().enumerate() {
            if !call.get("function").is_some_and(Value::is_object) {
                return Err(shape(&format!(
                    "{path}.tool_calls[{j}]: a tool call needs a `function` object"
                )));
            }
        }
    }
    Ok(())
}

/// Function definitions of a request: `tools` entries of type function, or legacy `functions`.
fn collect_functions(env: &Map<String, Value>) -> Result<Vec<Value>, TokensError> {
    let mut out = Vec::new();
    if let Some(tools) = env.get("tools") {
        let Some(tools) = tools.as_array() else {
            return Err(shape("`tools` must be a list"));
        };
        for (i, tool) in tools.iter().enumerate() {
            match tool.get("function") {
                Some(f) if f.is_object() => out.push(f.clone()),
                _ => {
                    return Err(shape(&format!(
                        "tools[{i}]: a tool needs a `function` object"
                    )));
                }
            }
        }
    }
    if let Some(functions) = env.get("functions") {
        let Some(functions) = functions.as_array() else {
            return Err(shape("`functions` must be a list"));
        };
        out.extend(functions.iter().cloned());
    }
    Ok(out)
}

fn plain_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn shape(message: &str) -> TokensError {
    TokensError::Shape {
        message: message.to_string(),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn json_error(syntax: Syntax, e: &serde_json::Error, line_offset: usize) -> TokensError {
    TokensError::Syntax {
        syntax: syntax.name(),
        at: Position {
            line: e.line() + line_offset,
            // serde_json says column 0 for an error before a line's first character.
            column: e.column().max(1),
        },
        message: crate::error::parse_message(&e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn counter() -> Counter {
        Counter::new(Encoding::O200kBase)
    }

    #[test]
    fn cookbook_formula_on_a_small_chat() {
        let t = Transcript::parse(
            r#"[{"role":"system","content":"You are a helpful assistant."},
                {"role":"user","content":"What is the capital of France?"}]"#,
            Syntax::Json,
        )
        .unwrap();
        let f = ChatFormula::new(Encoding::O200kBase, Some("gpt-4o"));
        let c = counter();
        let expected = 3 * 2
            + c.count("system")
            + c.count("You are a helpful assistant.")
            + c.count("user")
            + c.count("What is the capital of France?")
            + 3;
        assert_eq!(count_chat(&c, &f, &t).total, expected);
    }

    #[test]
    fn name_costs_one_more_and_legacy_model_one_less() {
        let m = json!({"role": "user", "name": "bob", "content": "hi"});
        let c = counter();
        let modern = ChatFormula::new(Encoding::Cl100kBase, Some("gpt-4"));
        let legacy = ChatFormula::new(Encoding::Cl100kBase, Some("gpt-3.5-turbo-0301"));
        let values = c.count("user") + c.count("bob") + c.count("hi");
        assert_eq!(modern.message_tokens(&c, &m), 3 + values + 1);
        assert_eq!(legacy.message_tokens(&c, &m), 4 + values - 1);
    }

    #[test]
    #[allow(clippy::identity_op)] // the terms mirror the formula, term by term
    fn tools_follow_the_cookbook_formula() {
        let c = counter();
        let f = ChatFormula::new(Encoding::O200kBase, Some("gpt-4o"));
        let function = json!({
            "name": "get_weather",
            "description": "Get the weather.",
            "parameters": {"type": "object", "properties": {
                "city": {"type": "string", "description": "City name."},
                "unit": {"type": "string", "description": "", "enum": ["c", "f"]}
            }}
        });
        #[allow(clippy::identity_op)] // spelled as the cookbook's formula: +3 per enum, -3 once
        let expected = 7
            + c.count("get_weather:Get the weather")
            + 3
            + (3 + c.count("city:string:City name"))
            // prop_key, then enum_init (-3) and one enum_item per value, then the line.
            + (3 + (3 + c.count("c")) + (3 + c.count("f")) + c.count("unit:string:") - 3)
            + 12;
        assert_eq!(f.tools_tokens(&c, &[function]), expected);
        assert_eq!(f.tools_tokens(&c, &[]), 0);
    }

    #[test]
    fn request_object_keeps_its_fields_and_order() {
        let text = r#"{"model":"gpt-4o","messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"}],"temperature":0.2}"#;
        let t = Transcript::parse(text, Syntax::Json).unwrap();
        assert_eq!(t.messages.len(), 2);
        let shorter = t.with_messages(vec![t.messages[1].clone()]);
        let out: Value = serde_json::from_slice(&shorter.render().unwrap()).unwrap();
        let keys: Vec<_> = out.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["model", "messages", "temperature"]);
        assert_eq!(out["messages"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn jsonl_and_yaml_round_trip() {
        let jsonl =
            "{\"role\":\"user\",\"content\":\"a\"}\n\n{\"role\":\"assistant\",\"content\":\"b\"}\n";
        let t = Transcript::parse(jsonl, Syntax::Jsonl).unwrap();
        assert_eq!(t.messages.len(), 2);
        assert_eq!(
            String::from_utf8(t.render().unwrap()).unwrap(),
            jsonl.replace("\n\n", "\n")
        );

        let yaml = "- role: user\n  content: hello\n- role: assistant\n  content: hi\n";
        let t = Transcript::parse(yaml, Syntax::Yaml).unwrap();
        assert_eq!(t.role(1), "assistant");
        assert_eq!(String::from_utf8(t.render().unwrap()).unwrap(), yaml);
    }

    #[test]
    fn syntax_errors_have_line_and_column() {
        let err = Transcript::parse(
            "[\n  {\"role\": \"user\",\n   \"content\": }\n]",
            Syntax::Json,
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                TokensError::Syntax {
                    at: Position { line: 3, .. },
                    ..
                }
            ),
            "{err:?}"
        );
        let err = Transcript::parse("{\"role\":\"user\"}\n{broken\n", Syntax::Jsonl).unwrap_err();
        assert!(
            matches!(
                err,
                TokensError::Syntax {
                    at: Position { line: 2, .. },
                    ..
                }
            ),
            "{err:?}"
        );
        let err =
            Transcript::parse("- role: user\n  content: [unclosed\n", Syntax::Yaml).unwrap_err();
        assert!(matches!(err, TokensError::Syntax { .. }), "{err:?}");
    }

    #[test]
    fn wrong_shapes_name_the_path() {
        let cases = [
            (
                r#"[{"content":"no role"}]"#,
                "messages[0]: a message needs a `role`",
            ),
            (r#"[{"role":"user","content":5}]"#, "messages[0].content"),
            (
                r#"[{"role":"user"}, "text"]"#,
                "messages[1]: expected a message object",
            ),
            (r#"{"messages": 3}"#, "`messages` must be a list"),
            (r#"42"#, "expected a list of messages"),
            (
                r#"{"messages":[],"tools":[{"type":"function"}]}"#,
                "tools[0]",
            ),
        ];
        for (text, needle) in cases {
            let err = Transcript::parse(text, Syntax::Json)
                .unwrap_err()
                .to_string();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn sniffing() {
        assert_eq!(Syntax::sniff(" [ ]"), Syntax::Json);
        assert_eq!(Syntax::sniff("{\"messages\": [\n]}"), Syntax::Json);
        assert_eq!(
            Syntax::sniff("{\"role\":\"user\"}\n{\"role\":\"user\"}\n"),
            Syntax::Jsonl
        );
        assert_eq!(Syntax::sniff("- role: user\n"), Syntax::Yaml);
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #[test]
        fn parsing_arbitrary_text_never_panics(text in ".{0,300}") {
            for syntax in [Syntax::Json, Syntax::Jsonl, Syntax::Yaml] {
                let _ = Transcript::parse(&text, syntax);
            }
            let _ = Syntax::sniff(&text);
        }

        #[test]
        fn parsing_arbitrary_json_values_never_panics(value in arb_json()) {
            let text = value.to_string();
            if let Ok(t) = Transcript::parse(&text, Syntax::Json) {
                let counter = Counter::new(Encoding::O200kBase);
                let formula = ChatFormula::new(Encoding::O200kBase, None);
                let _ = count_chat(&counter, &formula, &t);
                prop_assert!(t.render().is_ok());
            }
        }
    }

    /// JSON values shaped a bit like transcripts, so that parsing gets past the first checks.
    fn arb_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            prop_oneof![
                Just("role".to_string()),
                Just("user".to_string()),
                ".{0,10}"
            ]
            .prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec(
                    (
                        prop_oneof![
                            Just("role".to_string()),
                            Just("content".to_string()),
                            Just("name".to_string()),
                            Just("messages".to_string()),
                            Just("tools".to_string()),
                            Just("tool_calls".to_string()),
                            Just("function".to_string()),
                            ".{0,6}",
                        ],
                        inner
                    ),
                    0..6
                )
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }
}
