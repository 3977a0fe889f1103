//! A language server sees every half-typed state of a file: the prefixes of every campaign file,
//! of the compiler's fixtures and of the fuzz corpus go through every handler (diagnostics,
//! hover, completion, definition, outline, rename, formatting), which must answer without
//! panicking. [`Server::answer`] is called directly, without the catch that guards requests in
//! service, so that a panic fails the test.

use guide_lsp::Server;
use lsp_types::Url;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_path_buf()
}

/// The `.guide` files under `dir`, recursively, sorted.
fn guides(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            guides(&p, out);
        } else if p.extension().is_some_and(|x| x == "guide") {
            out.push(p);
        }
    }
}

/// The byte offsets (character boundaries) of `text` to cut at: every line end, and every
/// `step`-th byte.
fn cuts(text: &str, step: usize) -> Vec<usize> {
    let mut at: Vec<usize> = text.match_indices('\n').map(|(i, _)| i).collect();
    at.extend((0..text.len()).step_by(step));
    at.push(text.len());
    at.retain(|&i| text.is_char_boundary(i));
    at.sort_unstable();
    at.dedup();
    at
}

fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": before[start..].encode_utf16().count()})
}

/// Every handler at a few places of `text`, opened as `path`.
fn exercise(server: &mut Server, path: &Path, text: &str) {
    let uri = Url::from_file_path(path).expect("an absolute path");
    server.open(uri.clone(), text.to_string(), Instant::now());
    server.diagnostics(path);
    let doc = json!({"uri": uri});
    let places = [text.len(), text.len() / 2, text.len() / 3];
    for offset in places {
        let offset = (0..=offset)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        let at = json!({"textDocument": doc, "position": position(text, offset)});
        for method in [
            "textDocument/hover",
            "textDocument/completion",
            "textDocument/definition",
        ] {
            let answer = server.answer(method, at.clone());
            assert!(answer.is_ok(), "{method} at {offset}: {answer:?}");
        }
        let mut rename = at.clone();
        rename["newName"] = json!("nome_nuovo");
        // Refused when there is no scene, pop-up or service there: an error answer, no panic.
        let _ = server.answer("textDocument/rename", rename);
    }
    for method in ["textDocument/documentSymbol", "textDocument/formatting"] {
        let params = json!({"textDocument": doc, "options": {"tabSize": 4, "insertSpaces": true}});
        let answer = server.answer(method, params);
        assert!(answer.is_ok(), "{method}: {answer:?}");
    }
}

#[test]
fn every_prefix_of_the_campaigns_and_the_corpus_is_answered() {
    let root = root();
    let mut files = Vec::new();
    guides(&root.join("campaigns"), &mut files);
    let campaigns = files.len();
    guides(&root.join("compiler/tests"), &mut files);
    guides(&root.join("fuzz/regressions"), &mut files);
    guides(&root.join("fuzz/seeds/guide_source"), &mut files);
    assert!(campaigns >= 7 && files.len() > 70, "{} files", files.len());
    let mut server = Server::default();
    let mut cases = 0;
    for (n, path) in files.iter().enumerate() {
        let text = std::fs::read_to_string(path).expect("a source file");
        // The campaigns at every line end and every 97th byte; the rest more sparsely.
        let step = if n < campaigns { 97 } else { 401 };
        for cut in cuts(&text, step) {
            exercise(&mut server, path, &text[..cut]);
            cases += 1;
        }
        exercise(&mut server, path, &text);
        server.close(&Url::from_file_path(path).expect("an absolute path"));
    }
    eprintln!("{cases} prefixes");
    assert!(cases > 1500, "{cases} prefixes");
}
