//! How fast the server answers on the largest campaign (neopensionati), each answer measured
//! right after a keystroke (the document changed, nothing cached): diagnostics (the whole
//! `compile()`), hover, completion, definition, outline, rename within the campaign and across the
//! workspace. The target is 50 ms.
//!
//! `cargo bench -p guide-lsp` (see the README for the figures).

use criterion::{criterion_group, criterion_main, Criterion};
use guide_lsp::Server;
use lsp_types::Url;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn campaign() -> (PathBuf, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../campaigns/neopensionati/neopensionati.guide");
    let path = path.canonicalize().expect("the campaign exists");
    let text = std::fs::read_to_string(&path).expect("the campaign reads");
    (path, text)
}

fn position(text: &str, needle: &str) -> Value {
    let at = text.find(needle).expect("the needle is in the campaign") + needle.len();
    let before = &text[..at];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": before[start..].encode_utf16().count()})
}

fn bench(c: &mut Criterion) {
    let (path, text) = campaign();
    let uri = Url::from_file_path(&path).expect("an absolute path");
    let mut server = Server::default();
    let doc = json!({"uri": uri});
    let mut group = c.benchmark_group("lsp on neopensionati after a keystroke");
    group.bench_function("diagnostics", |b| {
        b.iter(|| {
            server.open(uri.clone(), text.clone(), Instant::now());
            server.diagnostics(&path)
        })
    });
    let place = |needle: &str| json!({"textDocument": doc, "position": position(&text, needle)});
    let requests = [
        ("hover", "textDocument/hover", place("{nome")),
        (
            "completion",
            "textDocument/completion",
            place("\n    button "),
        ),
        ("definition", "textDocument/definition", place("\ninclude ")),
        (
            "outline",
            "textDocument/documentSymbol",
            json!({"textDocument": doc}),
        ),
        ("rename", "textDocument/rename", {
            let mut p = place("\ninclude ");
            p["newName"] = json!("nuovo_nome");
            p
        }),
    ];
    for (name, method, params) in requests {
        group.bench_function(name, |b| {
            b.iter(|| {
                server.open(uri.clone(), text.clone(), Instant::now());
                server.answer(method, params.clone())
            })
        });
    }
    // Rename with the workspace folder `campaigns/` known: every campaign is read from disk to
    // find those that include the shared scene.
    let root = path.parent().and_then(Path::parent).expect("campaigns/");
    let root = Url::from_file_path(root).expect("an absolute path");
    server.initialize(&json!({"rootUri": root}));
    let mut p = place("\ninclude ");
    p["newName"] = json!("nuovo_nome");
    group.bench_function("rename across the workspace", |b| {
        b.iter(|| {
            server.open(uri.clone(), text.clone(), Instant::now());
            server.answer("textDocument/rename", p.clone())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
