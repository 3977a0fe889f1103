//! Notifications rendered for real recipients: the five campaigns' messages, and a property test
//! that every rendered message stays within the bounds the checker proved (and so within each
//! channel's limits).

#![allow(clippy::disallowed_methods, clippy::disallowed_macros)] // a test reads fixtures and prints; the crate may not

use guide_compiler::analysis::notify::{bounds, IO_BODY, IO_SUBJECT};
use guide_compiler::ir::{self, Channel};
use guide_compiler::notify::{Delivery, Message, Notifier};
use proptest::prelude::*;
use serde_json::{json, Value};

const CAMPAIGNS: [&str; 5] = [
    "assegno_sociale",
    "assegno_unico",
    "naspi",
    "neopensionati",
    "red2021",
];

fn campaign(name: &str) -> (ir::Campaign, Vec<Value>) {
    let project =
        guide_compiler::project::load(std::path::Path::new(&format!("../campaigns/{name}")))
            .expect("campaign loads");
    let compiled = guide_compiler::compile(&project);
    assert!(!compiled.has_errors(), "{name} has errors");
    let demos = project
        .demos
        .iter()
        .filter_map(|(_, v)| v.as_ref().ok().cloned())
        .collect();
    (compiled.campaign.expect("checked"), demos)
}

/// The five campaigns, compiled once, with their notifiers.
fn all() -> &'static [(ir::Campaign, Vec<Value>, Notifier)] {
    static ALL: std::sync::OnceLock<Vec<(ir::Campaign, Vec<Value>, Notifier)>> =
        std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        CAMPAIGNS
            .iter()
            .map(|name| {
                let (c, demos) = campaign(name);
                let n = Notifier::new(&c).expect("compiles");
                (c, demos, n)
            })
            .collect()
    })
}

fn link(c: Channel) -> String {
    format!(
        "https://guide.inps.it/g/AAAAAAAAAAAAAAAAAAAAAA?c={}",
        c.name()
    )
}

fn sent(d: &[(Channel, Delivery)], channel: Channel) -> Option<&Message> {
    d.iter().find_map(|(c, x)| match x {
        Delivery::Send(m) if *c == channel => Some(&**m),
        _ => None,
    })
}

#[test]
fn the_red_messages_name_the_deadline_and_carry_the_personal_link() {
    let (c, demos) = campaign("red2021");
    let n = Notifier::new(&c).expect("compiles");
    let mut rec = demos[0].clone();
    rec["nome"] = json!("Antonio");
    rec["sesso"] = json!("M");
    rec["contatti_aggiornati"] = json!(true);
    rec["cellulare"] = json!("+393331234567");
    rec["email"] = json!("antonio@example.org");
    let d = n.render(&rec, &link).expect("renders").expect("eligible");
    let io = sent(&d, Channel::Io).expect("io");
    assert!(io.text.starts_with("Caro Antonio,"), "{}", io.text);
    assert!(io.text.contains("29 febbraio 2024"), "{}", io.text);
    let md = io.io_markdown();
    assert!(md.starts_with("---\nit:\n  cta_1:\n    text: \"Guarda la video-guida\"\n    action: \"iohandledlink://https://guide.inps.it/g/AAAAAAAAAAAAAAAAAAAAAA?c=io\"\n"), "{md}");
    let sms = sent(&d, Channel::Sms).expect("sms");
    assert_eq!(sms.to.as_deref(), Some("+393331234567"));
    assert!(sms.text.ends_with("?c=sms"), "{}", sms.text);
    // The SMS writes the date in digits: "1°" would take it out of GSM-7.
    assert!(sms.text.contains("29/02/2024"), "{}", sms.text);
    let email = sent(&d, Channel::Email).expect("email");
    assert!(email
        .html
        .as_deref()
        .unwrap_or("")
        .contains("href=\"https://guide.inps.it/g/AAAAAAAAAAAAAAAAAAAAAA?c=email\""));

    // Without consent no SMS nor e-mail; with consent but no number, no SMS.
    rec["contatti_aggiornati"] = json!(false);
    let d = n.render(&rec, &link).expect("renders").expect("eligible");
    assert!(d.contains(&(Channel::Sms, Delivery::NotApplicable)));
    rec["contatti_aggiornati"] = json!(true);
    rec["cellulare"] = Value::Null;
    let d = n.render(&rec, &link).expect("renders").expect("eligible");
    assert!(d.contains(&(Channel::Sms, Delivery::NoContact)));
    assert!(sent(&d, Channel::Email).is_some());
}

#[test]
fn values_are_escaped_in_html_and_kept_in_text() {
    let (c, demos) = campaign("naspi");
    let n = Notifier::new(&c).expect("compiles");
    let mut rec = demos[0].clone();
    rec["nome"] = json!("<b>Zoë</b> & \"Ann\"");
    rec["contatti_aggiornati"] = json!(true);
    rec["email"] = json!("a@example.org");
    let d = n.render(&rec, &link).expect("renders").expect("eligible");
    let email = sent(&d, Channel::Email).expect("email");
    assert!(email.text.contains("<b>Zoë</b> & \"Ann\""));
    let html = email.html.as_deref().unwrap_or("");
    assert!(
        html.contains("&lt;b&gt;Zoë&lt;/b&gt; &amp; &quot;Ann&quot;"),
        "{html}"
    );
    assert!(html.starts_with("<p>Car"), "{html}");
}

/// Names of up to 40 characters, from letters inside and outside GSM-7 (and outside the BMP).
fn name() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just('a'),
            Just('Z'),
            Just('è'),
            Just('È'),
            Just('’'),
            Just('€'),
            Just('ß'),
            Just('😀'),
            Just(' '),
            Just('"'),
        ],
        0..=40,
    )
    .prop_map(|v| v.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn rendered_messages_stay_within_the_proven_bounds(
        which in 0usize..5,
        demo in 0usize..8,
        nome in name(),
        feminine in any::<bool>(),
        consent in any::<bool>(),
        phone in proptest::option::of("[+0-9]{1,20}"),
    ) {
        let (c, demos, n) = &all()[which];
        let proven = bounds(c);
        let mut rec = demos[demo % demos.len()].clone();
        rec["nome"] = json!(nome);
        rec["sesso"] = json!(if feminine { "F" } else { "M" });
        for k in ["contatti_aggiornati", "consenso_servizi_proattivi"] {
            if rec.get(k).is_some() && k == "contatti_aggiornati" {
                rec[k] = json!(consent);
            }
        }
        rec["cellulare"] = phone.map_or(Value::Null, Value::from);
        rec["email"] = json!("nome.cognome@example.org");
        let Some(d) = n.render(&rec, &link).expect("renders") else { return Ok(()) };
        for (channel, delivery) in &d {
            let Delivery::Send(m) = delivery else { continue };
            let b = proven.iter().find(|b| b.channel == *channel).expect("proven");
            let body = match channel {
                Channel::Io => m.io_markdown(),
                _ => m.text.clone(),
            };
            let chars = body.chars().count();
            prop_assert!(chars >= b.body.min, "{channel:?} body {chars} < {}", b.body.min);
            prop_assert!(b.body.max.is_none_or(|max| chars <= max), "{channel:?} body {chars} > {:?}", b.body.max);
            if let (Some(s), Some(sb)) = (&m.subject, &b.subject) {
                let n = s.chars().count();
                prop_assert!(n >= sb.min && sb.max.is_none_or(|max| n <= max));
            }
            match channel {
                Channel::Io => {
                    let s = m.subject.as_deref().unwrap_or("").chars().count();
                    prop_assert!((IO_SUBJECT.0..=IO_SUBJECT.1).contains(&s), "subject {s}");
                    prop_assert!((IO_BODY.0..=IO_BODY.1).contains(&chars), "body {chars}");
                }
                Channel::Sms => {
                    let (_, _, segments) = m.sms_count();
                    let declared = c.notifications.iter().find(|x| x.channel == Channel::Sms).map_or(1, |x| x.segments as usize);
                    prop_assert!(segments <= declared, "{segments} segments > {declared}: {:?}", m.text);
                    prop_assert!(b.body.max_segments().is_some_and(|s| segments <= s));
                }
                Channel::Email => {}
            }
        }
    }
}
