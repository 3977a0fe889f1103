//! The recipient record decoder on any text: the first byte picks a campaign, the rest is the
//! record. The streaming decoder (`Record::from_json_str`) must give exactly what
//! `serde_json::Value` + `Record::from_json` gives (values or error), and a record that decodes
//! is evaluated. Seeds: the campaigns' demo recipients.
#![no_main]

use guide_runtime::Record;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let ps = guide_fuzz::programs();
    let program = &ps[usize::from(pick) % ps.len()];
    let schema = program.schema();
    let fast = Record::from_json_str(schema, text);
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => {
            let slow = Record::from_json(schema, &v);
            assert_eq!(fast, slow, "the streaming decoder disagrees with from_json");
            if let Ok(r) = &fast {
                let _ = program
                    .evaluate(r)
                    .map(|o| o.eligible().map(|t| t.storyboard()));
                guide_fuzz::exercise(program, &v);
            }
        }
        Err(_) => assert!(fast.is_err(), "the streaming decoder accepts invalid JSON"),
    }
    if let Err(e) = &fast {
        let _ = e.to_string();
    }
});
