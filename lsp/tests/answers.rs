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

#[test]
fn the_new_words_are_completed_where_they_mean_something() {
    let (mut server, text, doc) = setup(|t| {
        t.replacen(
            "    visual \"intro.png\" alt \"Un'operatrice INPS saluta\"",
            "    visual \"intro.png\" ",
            1,
        )
        .replacen(
            "scene decorrenza when data_decorrenza is present {",
            "scene decorrenza when data_decorrenza is present and ye {",
            1,
        ) + "\nnotify io {\n    subject \"La tua guida\"\n    \n}\n\n"
    });
    let items = server
        .answer("textDocument/completion", at(&doc, &text, "\"intro.png\" "))
        .expect("an answer");
    assert_eq!(labels(&items), ["alt", "decorative"]);

    let items = server
        .answer(
            "textDocument/completion",
            at(&doc, &text, "\"La tua guida\"\n    "),
        )
        .expect("an answer");
    assert_eq!(
        labels(&items),
        ["to", "segments", "subject", "body", "text", "html", "button"]
    );

    let items = labels(
        &server
            .answer(
                "textDocument/completion",
                at(&doc, &text, "is present and ye"),
            )
            .expect("an answer"),
    );
    for word in [
        "years_between",
        "months_between",
        "days_between",
        "count",
        "today",
    ] {
        assert!(items.contains(&word.to_string()), "{word} in {items:?}");
    }
    assert!(items.contains(&"notify".to_string()), "{items:?}");

    // After the `notify` block is closed, a top-level line gets every keyword again.
    let items = labels(
        &server
            .answer("textDocument/completion", at(&doc, &text, "    \n}\n\n"))
            .expect("an answer"),
    );
    assert!(items.contains(&"scene".to_string()), "{items:?}");
}

#[test]
fn notify_blocks_are_in_the_outline() {
    let (mut server, _, doc) = setup(|t| {
        t.to_string()
            + "\nnotify sms when consenso_proattivo {\n    to cellulare\n    text \"Ciao\"\n}\n"
    });
    let symbols = server
        .answer("textDocument/documentSymbol", json!({"textDocument": doc}))
        .expect("an answer");
    let names = labels_of(&symbols);
    assert_eq!(
        names.last().map(String::as_str),
        Some("notify sms"),
        "{names:?}"
    );
}

fn labels_of(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .map(|i| i["name"].as_str().unwrap_or("?").to_string())
        .collect()
}

/// A statement continued on the next line (after `and`, `==`, `,`, an open `[`) is completed as
/// if it were written on one line, comments of the earlier lines ignored.
#[test]
fn a_statement_continued_on_the_next_line_is_read_from_its_start() {
    let (mut server, text, doc) = setup(|t| {
        t.replacen(
            "    case ufficio_postale {",
            "    case bonifico, // the usual one\n         ",
            1,
        )
        .replacen(
            "scene prestazioni when quattordicesima in prestazioni or",
            "scene prestazioni when modalita_pagamento in [bonifico,\n        \
             ] and modalita_pagamento ==\n        quattordicesima in prestazioni or",
            1,
        )
    });
    let complete = |server: &mut guide_lsp::Server, text: &str, doc: &Value, needle: &str| {
        labels(
            &server
                .answer("textDocument/completion", at(doc, text, needle))
                .expect("an answer"),
        )
    };
    let values = ["bonifico", "ufficio_postale"];
    assert_eq!(
        complete(&mut server, &text, &doc, "// the usual one\n         "),
        values,
        "a case list"
    );
    assert_eq!(
        complete(&mut server, &text, &doc, "[bonifico,\n        "),
        values,
        "a list"
    );
    assert_eq!(
        complete(&mut server, &text, &doc, "modalita_pagamento ==\n        "),
        values,
        "after =="
    );
    // A line that starts with an operator continues the line before, complete as it was.
    let (mut server, text, doc) = setup(|t| {
        t.replacen(
            "scene prestazioni when quattordicesima in prestazioni or",
            "scene prestazioni when modalita_pagamento\n        // a note\n\n        \
             == bonifico\n        \
             and modalita_pagamento\n        in [ufficio_postale] or\n        \
             quattordicesima in prestazioni or",
            1,
        )
    });
    assert_eq!(
        complete(&mut server, &text, &doc, "// a note\n\n        == "),
        values,
        "a line starting with ==, after a comment and a blank line"
    );
    assert_eq!(
        complete(
            &mut server,
            &text,
            &doc,
            "and modalita_pagamento\n        in ["
        ),
        values,
        "a line starting with in"
    );
    // A statement that ended on the line before is not continued.
    let items = complete(&mut server, &text, &doc, "    case bonifico {\n        ");
    assert!(items.contains(&"scene".to_string()), "{items:?}");
}
