//! `guide lsp` as an editor drives it: the binary spawned, JSON-RPC over its stdin and stdout
//! (initialize, didOpen, didChange with a typo then its fix, hover, completion, definition,
//! outline, rename, formatting, shutdown, exit), every answer snapshotted.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

/// How long any one answer may take before the test gives up (bounded: never hangs).
const PATIENCE: Duration = Duration::from_secs(60);

struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
    root: String,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_guide"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("guide lsp starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("a Content-Length header")];
                reader.read_exact(&mut body).expect("a whole message");
                let value: Value = serde_json::from_slice(&body).expect("JSON");
                if tx.send(value).is_err() {
                    return;
                }
            }
        });
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("the workspace")
            .to_string_lossy()
            .to_string();
        Client {
            child,
            stdin,
            messages,
            next_id: 0,
            root,
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let m = self.messages.recv_timeout(PATIENCE).expect("an answer");
            if m["id"] == json!(id) {
                assert!(m.get("error").is_none(), "{method} failed: {m}");
                return m["result"].clone();
            }
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Value {
        loop {
            let m = self.messages.recv_timeout(PATIENCE).expect("diagnostics");
            if m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri {
                return m["params"]["diagnostics"].clone();
            }
        }
    }

    fn uri(&self, relative: &str) -> String {
        format!("file://{}/{relative}", self.root)
    }

    fn text(&self, relative: &str) -> String {
        std::fs::read_to_string(format!("{}/{relative}", self.root)).expect("a campaign file")
    }

    /// An answer as pretty JSON, the repository's folder written `<repo>`.
    fn show(&self, v: &Value) -> String {
        serde_json::to_string_pretty(v)
            .expect("JSON")
            .replace(&self.root, "<repo>")
    }
}

/// The position (line, UTF-16 column) just after the first `needle` in `text`, moved back by
/// `back` characters.
fn position(text: &str, needle: &str, back: usize) -> Value {
    let at = text.find(needle).expect("the needle is in the text") + needle.len();
    let before = &text[..at];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[start..].encode_utf16().count() - back;
    json!({"line": line, "character": col})
}

#[test]
fn an_editor_session() {
    let mut c = Client::start();
    let init = c.request(
        "initialize",
        json!({"processId": null, "rootUri": c.uri("campaigns"), "capabilities": {}}),
    );
    insta::assert_snapshot!("capabilities", c.show(&init["capabilities"]));
    c.notify("initialized", json!({}));

    let naspi = c.uri("campaigns/naspi/naspi.guide");
    let text = c.text("campaigns/naspi/naspi.guide");
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": naspi, "languageId": "guide", "version": 1, "text": text}}),
    );
    assert_eq!(c.diagnostics(&naspi), json!([]), "naspi checks clean");

    // A typo, then its fix.
    let typo = text.replacen(
        "{importo_mensile} al mese\"",
        "{importo_mensil} al mese\"",
        1,
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": naspi, "version": 2}, "contentChanges": [{"text": typo}]}),
    );
    let typo = c.diagnostics(&naspi);
    insta::assert_snapshot!("typo", c.show(&typo));
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": naspi, "version": 3}, "contentChanges": [{"text": text}]}),
    );
    assert_eq!(c.diagnostics(&naspi), json!([]), "the fix clears them");

    let doc = json!({"uri": naspi});
    let at = |needle: &str, back: usize| json!({"textDocument": doc, "position": position(&text, needle, back)});
    let mut hovers = Vec::new();
    for (what, needle, back) in [
        ("attribute", "{importo_mensile", 2),
        ("personal attribute", "{nome", 1),
        ("enum attribute", "match modalita_pagamento", 1),
        ("formatter", "| count", 1),
        ("service", "button myinps", 1),
        ("shared scene", "include aggiorna_contatti", 1),
        ("pop-up", "popup importo_calcolo_55", 1),
    ] {
        let h = c.request("textDocument/hover", at(needle, back));
        hovers.push(format!(
            "{what}:\n{}",
            h["contents"]["value"].as_str().unwrap_or("(none)")
        ));
    }
    insta::assert_snapshot!("hover", hovers.join("\n\n"));

    let labels = |v: &Value| -> String {
        v.as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|i| i["label"].as_str().unwrap_or("?").to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default()
    };
    let mut completions = Vec::new();
    for (what, needle, back) in [
        ("formatter after |", "{durata_settimane | ", 0),
        ("service after button", "button myinps", 6),
        ("shared scene after include", "include app_inps_mobile", 15),
        ("enum value in case", "case bonifico", 8),
    ] {
        let items = c.request("textDocument/completion", at(needle, back));
        completions.push(format!("{what}: {}", labels(&items)));
    }
    // On a line being typed.
    let typing = text.replacen("when eta < 55 {", "when modalita_pagamento == {", 1);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": naspi, "version": 4}, "contentChanges": [{"text": typing}]}),
    );
    let items = c.request(
        "textDocument/completion",
        json!({"textDocument": doc, "position": position(&typing, "modalita_pagamento == ", 0)}),
    );
    completions.push(format!("enum value after ==: {}", labels(&items)));
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": naspi, "version": 5}, "contentChanges": [{"text": text}]}),
    );
    insta::assert_snapshot!("completion", completions.join("\n"));

    let mut definitions = Vec::new();
    for needle in [
        "include aggiorna_contatti",
        "button myinps",
        "{importo_mensile",
    ] {
        let d = c.request("textDocument/definition", at(needle, 1));
        definitions.push(format!("{needle}: {}", c.show(&d)));
    }
    insta::assert_snapshot!("definition", definitions.join("\n"));

    let symbols = c.request("textDocument/documentSymbol", json!({"textDocument": doc}));
    let outline = outline(&symbols, 0);
    insta::assert_snapshot!("outline", outline);

    let mut rename = at("button myinps", 1);
    rename["newName"] = json!("area_riservata");
    let edit = c.request("textDocument/rename", rename);
    insta::assert_snapshot!("rename", c.show(&sorted_changes(&edit)));

    // A shared scene is renamed in every campaign that includes it, open or not (the workspace
    // folder is searched); a scene of the campaign's own is renamed in it alone, although
    // another campaign, open too, has a scene of the same name.
    let other = c.uri("campaigns/neopensionati/neopensionati.guide");
    let other_text = c.text("campaigns/neopensionati/neopensionati.guide");
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": other, "languageId": "guide", "version": 1, "text": other_text}}),
    );
    let mut reach = Vec::new();
    for (needle, new_name) in [
        ("include aggiorna_contatti", "contatti"),
        ("scene intro", "apertura"),
    ] {
        let mut rename = at(needle, 1);
        rename["newName"] = json!(new_name);
        let edit = sorted_changes(&c.request("textDocument/rename", rename));
        reach.push(format!("{needle} -> {new_name}:"));
        for file in edit.as_array().into_iter().flatten() {
            let edits = file["edits"].as_array().map_or(0, Vec::len);
            reach.push(format!(
                "  {} ({edits} edits)",
                file["uri"].as_str().unwrap_or("?")
            ));
        }
    }
    insta::assert_snapshot!("rename_reach", c.show(&json!(reach)));

    // Formatting: a messy layout comes back as the campaign's canonical one (`guide fmt`).
    let messy = text
        .replacen("    title \"La tua NASpI\"", "title   \"La tua NASpI\"", 1)
        .replacen(
            "    visual \"naspi_intro.png\"",
            "        visual \"naspi_intro.png\"  ",
            1,
        );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": naspi, "version": 6}, "contentChanges": [{"text": messy}]}),
    );
    let options = json!({"tabSize": 4, "insertSpaces": true});
    let formatting = c.request(
        "textDocument/formatting",
        json!({"textDocument": doc, "options": options}),
    );
    let edits = formatting.as_array().expect("edits");
    assert_eq!(edits.len(), 1, "{formatting}");
    assert_eq!(
        edits[0]["newText"],
        json!(text),
        "the campaign is kept formatted"
    );
    insta::assert_snapshot!("formatting", c.show(&edits[0]["range"]));
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": naspi, "version": 7}, "contentChanges": [{"text": text}]}),
    );
    let formatted = c.request(
        "textDocument/formatting",
        json!({"textDocument": doc, "options": options}),
    );
    assert_eq!(formatted, json!([]), "a formatted file has no edit");

    assert_eq!(c.request("shutdown", json!(null)), json!(null));
    c.notify("exit", json!(null));
    let status = c.child.wait().expect("guide lsp exits");
    assert!(status.success(), "{status}");
}

/// The outline as indented lines: name, kind and lines.
fn outline(symbols: &Value, depth: usize) -> String {
    let mut out = String::new();
    for s in symbols.as_array().into_iter().flatten() {
        out.push_str(&format!(
            "{}{} (kind {}, lines {}-{})\n",
            "  ".repeat(depth),
            s["name"].as_str().unwrap_or("?"),
            s["kind"],
            s["range"]["start"]["line"],
            s["range"]["end"]["line"],
        ));
        out.push_str(&outline(&s["children"], depth + 1));
    }
    out
}

/// A workspace edit with its files in a stable order.
fn sorted_changes(edit: &Value) -> Value {
    let mut files: Vec<(String, Value)> = edit["changes"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Value::Array(
        files
            .into_iter()
            .map(|(k, v)| json!({"uri": k, "edits": v}))
            .collect(),
    )
}
