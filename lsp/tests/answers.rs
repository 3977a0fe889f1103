//! Answers on the nested data of `compiler/tests/ui/ok_full.guide` (a record, a list, a `for`
//! loop and an `any`): completion of fields, hover and definition through the loop variable.

use guide_lsp::Server;
use lsp_types::Url;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Instant;

fn setup(edit: impl Fn(&str) -> String) -> (Server, String, Value) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../compiler/tests/ui/ok_full.guide")
        .canonicalize()
        .expect("the fixture");
    let text = edit(&std::fs::read_to_string(&path).expect("the fixture reads"));
    let uri = Url::from_file_path(&path).expect("absolute");
    let mut server = Server::default();
    server.open(uri.clone(), text.clone(), Instant::now());
    (server, text, json!({"uri": uri}))
}

fn at(doc: &Value, text: &str, needle: &str) -> Value {
    let end = text.find(needle).expect("the needle") + needle.len();
    let before = &text[..end];
    let line = before.matches('\n').count();
    let col = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .encode_utf16()
        .count();
    json!({"textDocument": doc, "position": {"line": line, "character": col}})
}

fn labels(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|i| i["label"].as_str().unwrap_or("?").to_string())
        .collect()
}

#[test]
fn fields_of_records_and_list_elements_are_completed() {
    let (mut server, text, doc) = setup(|t| {
        t.replacen("{figlio.nome}", "{figlio.}", 1).replacen(
            "if any figlio in figli: figlio.eta",
            "if indirizzo. and x",
            1,
        )
    });
    let items = server
        .answer("textDocument/completion", at(&doc, &text, "{figlio."))
        .expect("an answer");
    assert_eq!(labels(&items), ["nome", "eta"]);
    let items = server
        .answer("textDocument/completion", at(&doc, &text, "if indirizzo."))
        .expect("an answer");
    assert_eq!(labels(&items), ["comune", "cap"]);
}

#[test]
fn a_loop_variable_leads_to_the_list_field() {
    let (mut server, text, doc) = setup(str::to_string);
    let hover = server
        .answer("textDocument/hover", at(&doc, &text, "{figlio.et"))
        .expect("an answer");
    let shown = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(shown.starts_with("**figli.eta** · `Int`"), "{shown}");
    let def = server
        .answer(
            "textDocument/definition",
            at(&doc, &text, "any figlio in figli: figlio.et"),
        )
        .expect("an answer");
    assert!(
        def["uri"].as_str().unwrap_or("").ends_with("/schema.ron"),
        "{def}"
    );
    assert_eq!(def["range"]["start"]["line"], json!(19), "{def}");
}
