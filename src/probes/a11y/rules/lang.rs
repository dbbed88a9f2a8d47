//! Language of the page (3.1.1) and of its parts (3.1.2): `lang` present on `html`, and every
//! `lang` a valid BCP 47 tag — well-formed and made of subtags the IANA registry holds
//! (`language-tags` embeds the registry; a tag like `xx` or `en-XY` is well-formed but
//! invalid, and screen readers would not switch voice for it).

use language_tags::LanguageTag;
use scraper::ElementRef;

use super::{Rule, RuleRun};
use crate::probes::a11y::dom::Dom;
use crate::probes::a11y::issue::shorten;
use crate::probes::a11y::page::Page;

/// `html` has a `lang`.
pub static HTML_HAS_LANG: Rule = Rule {
    id: "html-has-lang",
    criteria: &["3.1.1"],
    help: "<html> element must have a lang attribute",
    run: html_has_lang,
};

/// `html`'s `lang` is a valid tag.
pub static HTML_LANG_VALID: Rule = Rule {
    id: "html-lang-valid",
    criteria: &["3.1.1"],
    help: "<html> element must have a valid value for the lang attribute",
    run: html_lang_valid,
};

/// Every other `lang` is a valid tag.
pub static VALID_LANG: Rule = Rule {
    id: "valid-lang",
    criteria: &["3.1.2"],
    help: "lang attribute must have a valid value",
    run: valid_lang,
};

/// The element's language: `lang`, else `xml:lang`.
fn lang(el: ElementRef<'_>) -> Option<&str> {
    el.value()
        .attr("lang")
        .or_else(|| el.value().attr("xml:lang"))
}

/// Why `tag` is not a valid BCP 47 tag, if it is not.
fn invalid(tag: &str) -> Option<String> {
    let shown = shorten(tag, 40);
    match LanguageTag::parse(tag.trim()) {
        Err(e) => Some(format!(
            "\"{shown}\" is not a well-formed language tag ({e})"
        )),
        Ok(t) => t
            .validate()
            .err()
            .map(|e| format!("\"{shown}\" is not a registered language tag ({e})")),
    }
}

fn html_has_lang(page: &Page, run: &mut RuleRun) {
    let html = page.doc.root_element();
    run.checked += 1;
    if lang(html).is_none_or(|l| l.trim().is_empty()) {
        run.fail(html, "the page does not say its language");
    }
}

fn html_lang_valid(page: &Page, run: &mut RuleRun) {
    let html = page.doc.root_element();
    let Some(l) = lang(html).filter(|l| !l.trim().is_empty()) else {
        return;
    };
    run.checked += 1;
    if let Some(why) = invalid(l) {
        run.fail(html, why);
    }
}

fn valid_lang(page: &Page, run: &mut RuleRun) {
    let dom = Dom::new(page);
    let html = page.doc.root_element();
    // `lang=""` says the language is unknown, which is allowed.
    for el in dom
        .elements()
        .filter(|e| *e != html && lang(*e).is_some_and(|l| !l.trim().is_empty()))
    {
        run.checked += 1;
        if let Some(why) = lang(el).and_then(invalid) {
            run.fail(el, why);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::{failed, run};
    use super::*;

    #[test]
    fn tags_must_be_well_formed_and_registered() {
        assert!(invalid("en").is_none());
        assert!(invalid("fr-CA").is_none());
        assert!(invalid("zh-Hant-TW").is_none());
        assert!(invalid("EN-ca").is_none(), "tags are case-insensitive");
        assert!(invalid("xx").is_some(), "unregistered");
        assert!(invalid("en-AB").is_some(), "unregistered region");
        assert!(invalid("english").is_some());
        assert!(invalid("en_US").is_some());
    }

    #[test]
    fn the_page_and_its_parts() {
        assert_eq!(failed(&run(&HTML_HAS_LANG, "<p>x</p>")), ["html"]);
        let doc = r#"<!doctype html><html lang="en"><body><p id="a" lang="fr-CA">x</p><p id="b" lang="frr-Latn-zz9">y</p><p lang="">z</p></body></html>"#;
        let r = run(&VALID_LANG, doc);
        assert_eq!((r.checked, failed(&r)), (2, vec!["#b".to_string()]));
        assert!(failed(&run(&HTML_LANG_VALID, doc)).is_empty());
    }
}
