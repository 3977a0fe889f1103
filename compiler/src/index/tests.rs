use super::*;
use crate::syntax;

#[test]
fn finds_definitions_and_references_in_order() {
    let lib = "service portale { label \"Portale\" url \"https://www.inps.it\" }\nscene comune {\n    text \"Ciao\"\n    popup info { button \"b\" title \"t\" body \"x\" }\n    button portale\n}\n";
    let main =
        "include comune\nif true {\n    include comune\n}\nending {\n    button portale\n}\n";
    let asts: Vec<ast::File> = [lib, main].iter().map(|t| syntax::parse(t).0).collect();
    let names: Vec<(SymbolKind, usize, bool, &str)> = occurrences(&asts)
        .iter()
        .map(|o| {
            let text = if o.file == 0 { lib } else { main };
            (o.kind, o.file, o.is_definition(), &text[o.span.clone()])
        })
        .collect();
    assert_eq!(
        names,
        vec![
            (SymbolKind::Service, 0, true, "portale"),
            (SymbolKind::Scene, 0, true, "comune"),
            (SymbolKind::Popup, 0, true, "info"),
            (SymbolKind::Service, 0, false, "portale"),
            (SymbolKind::Scene, 1, false, "comune"),
            (SymbolKind::Scene, 1, false, "comune"),
            (SymbolKind::Service, 1, false, "portale"),
        ]
    );
}
