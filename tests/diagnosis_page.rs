//! The page's one table keyed by cause ids, `fixFor` in www/views/diagnosis.js (the setting each race
//! button moves), checked against the diagnosis's own list: every cause the engine can name has its
//! case, and the page switches on no id the engine does not know. The page's words for causes and
//! figures are not checked here: it has none, they come with each diagnosis from the catalogue.

use losslab::diagnose::CauseId;

#[test]
fn cause_ids_are_the_page_taxonomy() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/www/views/diagnosis.js");
    let js = std::fs::read_to_string(path).expect("www/views/diagnosis.js");
    let start = js
        .find("export function fixFor(")
        .expect("fixFor in diagnosis.js");
    let body = &js[start..];
    let body = &body[..body.find("\n}\n").expect("the end of fixFor")];
    let mut cases: Vec<&str> = body
        .split("case '")
        .skip(1)
        .map(|rest| &rest[..rest.find('\'').expect("a quoted case")])
        .collect();
    cases.sort();
    let mut ids: Vec<&str> = CauseId::ALL.iter().map(|c| c.as_str()).collect();
    ids.sort();
    assert_eq!(cases, ids, "fixFor's cases against CauseId::ALL");
    assert!(
        !js.contains("CAUSE_NAMES") && !js.contains("METRIC_WORDS"),
        "the page's words for causes and figures come from the engine's catalogue"
    );
}
