//! The schema loader on any text; a schema that loads is then used by a small campaign, which is
//! checked, compiled (the schema is embedded in the bytecode), reloaded and run on a record built
//! from the schema. Seeds: every `schema.ron` of the campaigns, the fixtures and the spec.
#![no_main]

use guide_compiler::analysis::domains;
use guide_compiler::project;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

const CAMPAIGN: &str = "campaign fuzz {\n    title \"Fuzz\"\n    schema \"schema.ron\"\n}\n\nscene intro {\n    text \"Ciao\"\n}\n\nending {\n    text \"Grazie\"\n}\n";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match guide_compiler::schema::load(&guide_fuzz::schema_file(text)) {
        Err(diags) => guide_fuzz::render(&diags),
        Ok(schema) => {
            let record = domains::base_record(&schema);
            let p = project::load_source(
                Path::new("/fuzz/campaign/main.guide"),
                CAMPAIGN.to_owned(),
                &mut |_| Ok(text.to_owned()),
            );
            let checked = guide_compiler::check::check(&p);
            guide_fuzz::render(&checked.diagnostics);
            if let Some(c) = &checked.campaign {
                match guide_compiler::codegen::program(c) {
                    Ok(program) => guide_fuzz::exercise(&program, &record),
                    Err(e) => panic!("a schema that loads gives bytecode that does not: {e}"),
                }
            }
        }
    }
});
