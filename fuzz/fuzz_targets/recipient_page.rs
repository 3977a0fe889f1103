//! The recipient server's pages on any record: the first byte picks a campaign, the rest is a
//! recipient record. A record that decodes and is eligible is turned into the player page and
//! the text version `guide serve` answers `/g/TOKEN` and `/g/TOKEN/testo` with. The timeline
//! embedded in the player page must be one JSON data block that parses back to exactly the
//! timeline (no value can close the `<script>` element or open another), and nothing a record
//! holds may add an element to either page. Seeds: the campaigns' demo recipients.
#![no_main]

use guide_runtime::{Outcome, Record};
use guide_server::serve::pages::Pages;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const TOKEN: &str = "AAAAAAAAAAAAAAAAAAAAAA";
const OPEN: &str = "<script type=\"application/json\" id=\"timeline\">";

fn pages() -> &'static Pages {
    static P: OnceLock<Pages> = OnceLock::new();
    P.get_or_init(|| Pages::new().expect("templates compile"))
}

/// Every string in a JSON value that holds a `<`: what must never reach a page as it is.
fn markup(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) if s.contains('<') => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| markup(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| markup(x, out)),
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let ps = guide_fuzz::programs();
    let program = &ps[usize::from(pick) % ps.len()];
    let Ok(record) = Record::from_json_str(program.schema(), text) else {
        return;
    };
    let Ok(Outcome::Eligible(timeline)) = program.evaluate(&record) else {
        return;
    };
    let page = pages().player(&timeline, TOKEN);
    let start = page.find(OPEN).expect("the page embeds the timeline") + OPEN.len();
    let end = start
        + page[start..]
            .find("</script>")
            .expect("the block is closed");
    let embedded: serde_json::Value =
        serde_json::from_str(&page[start..end]).expect("the block is JSON");
    let expected: serde_json::Value =
        serde_json::from_str(&timeline.to_json()).expect("the timeline is JSON");
    assert_eq!(embedded, expected, "the embedded timeline is the timeline");
    assert!(
        !page[start..end].contains('<'),
        "no `<` inside the data block"
    );
    // Record values only ever reach the pages as escaped text.
    let text_page = pages().text(&timeline, TOKEN);
    let mut strings = Vec::new();
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(text) {
        markup(&v, &mut strings);
    }
    for s in strings.iter().filter(|s| s.len() > 1) {
        assert!(
            !page.contains(s.as_str()),
            "{s:?} reached the player page unescaped"
        );
        assert!(
            !text_page.contains(s.as_str()),
            "{s:?} reached the text version unescaped"
        );
    }
});
