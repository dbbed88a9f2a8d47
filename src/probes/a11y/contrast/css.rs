//! Stylesheets read into the rules the contrast cascade needs: each rule's selectors (with
//! their specificity) and its declarations of the properties that decide contrast, with the
//! condition under which it applies. Parsing is `cssparser`'s, with CSS error recovery (a bad
//! declaration or rule drops only itself); selectors are parsed by `selectors`, the crate and
//! version `scraper` matches with, since `scraper::Selector` hides each selector's specificity.

use cssparser::{
    AtRuleParser, CowRcStr, DeclarationParser, ParseError, Parser, ParserState,
    QualifiedRuleParser, RuleBodyItemParser, RuleBodyParser, StyleSheetParser, Token,
};
use scraper::selector::Simple;
use selectors::parser::{
    Combinator, Component, ParseRelative, Selector, SelectorIter, SelectorList,
};

/// The most style rules read from all of a page's styles; past it the page is undecided.
pub const MAX_RULES: usize = 5_000;
/// The deepest at-rule nesting (`@media` in `@supports` …) read.
const MAX_AT_DEPTH: usize = 8;

/// A property the contrast cascade reads.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Prop {
    Color,
    BackgroundColor,
    BackgroundImage,
    Opacity,
    FontSize,
    FontWeight,
    Display,
    Visibility,
    Position,
    /// A property that repaints what is under it (`filter`, `mix-blend-mode`,
    /// `-webkit-text-fill-color`, `backdrop-filter`), by its name.
    Effect(&'static str),
    /// A custom property, `--brand` (case-sensitive).
    Custom(String),
}

/// The shorthand a longhand's value was written in, to be read out once `var()` is resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shorthand {
    Background,
    Font,
}

/// One declaration of a property the cascade reads.
#[derive(Clone, Debug, PartialEq)]
pub struct Declaration {
    pub prop: Prop,
    /// The value as written, `!important` removed.
    pub value: String,
    pub important: bool,
    /// Set when `value` is a whole shorthand (`background: url(x) #fff`).
    pub shorthand: Option<Shorthand>,
}

/// A selector of a rule, ready to match.
#[derive(Debug)]
pub struct RuleSelector {
    pub selector: Selector<Simple>,
    /// `selectors`' packed (a, b, c): a << 20 | b << 10 | c.
    pub specificity: u32,
    /// The rightmost compound's id, class or tag, to find the candidate rules of an element.
    pub key: Key,
    /// The same of the compound left of a descendant or child combinator: an ancestor must
    /// have it (a cheap test before matching).
    pub ancestor: Option<Key>,
    /// Why a match is only possible, not certain (a pseudo-class that was not evaluated).
    pub maybe: Option<String>,
}

/// What an element must have for a selector to possibly match it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    Id(String),
    Class(String),
    Tag(String),
    Any,
}

/// One style rule.
#[derive(Debug)]
pub struct StyleRule {
    pub selectors: Vec<RuleSelector>,
    pub declarations: Vec<Declaration>,
    /// The `@media` (or other condition) it depends on when that cannot be decided statically.
    pub condition: Option<String>,
    /// Its cascade layer's place ([`Reading::layer_key`]); unlayered rules have `[usize::MAX]`.
    pub layer: Vec<usize>,
}

/// What is shared while reading all of a page's styles: the rule budget and the cascade
/// layers in the order they were first named.
#[derive(Debug)]
pub struct Reading {
    /// Style rules that may still be read.
    pub budget: usize,
    layers: Vec<String>,
}

impl Reading {
    /// A fresh reading with `budget` rules to read.
    pub fn new(budget: usize) -> Reading {
        Reading {
            budget,
            layers: Vec::new(),
        }
    }

    fn declare(&mut self, path: &str) {
        if !self.layers.iter().any(|l| l == path) {
            self.layers.push(path.to_string());
        }
    }

    /// A key ordering rules by layer, for normal declarations: each segment's place among its
    /// siblings, then `usize::MAX` for the layer's own rules, so a sublayer sorts before its
    /// parent's own rules and unlayered rules (`[usize::MAX]`) after every layer.
    fn layer_key(&self, path: &str) -> Vec<usize> {
        let mut key = Vec::new();
        let mut parent = "";
        for (i, _) in path.match_indices('.').chain([(path.len(), "")]) {
            let here = &path[..i];
            let siblings = self
                .layers
                .iter()
                .filter(|l| l.rsplit_once('.').map_or("", |(p, _)| p) == parent)
                .position(|l| l == here)
                .unwrap_or(usize::MAX - 1);
            key.push(siblings);
            parent = here;
        }
        key.push(usize::MAX);
        key
    }
}

/// A stylesheet as read.
#[derive(Debug, Default)]
pub struct Sheet {
    pub rules: Vec<StyleRule>,
    /// Why anything on the page could take its colours from what was not read (`@import`).
    pub blockers: Vec<String>,
}

/// `s` shortened for a message.
pub fn short(s: &str) -> String {
    crate::probes::a11y::issue::shorten(s.trim(), 60)
}

/// Reads the stylesheet `text` (named `name` in messages), applying under `condition` (a
/// `media` attribute that could not be decided), counting its rules into `budget`.
pub fn parse_sheet(
    text: &str,
    name: &str,
    condition: Option<String>,
    reading: &mut Reading,
) -> Sheet {
    let mut sheet = Sheet::default();
    let mut p = Parser::new(text);
    let mut reader = SheetReader {
        name,
        out: &mut sheet,
        conditions: condition.into_iter().collect(),
        reading,
        layer: String::new(),
        anonymous: 0,
    };
    read_rules(&mut p, &mut reader, 0);
    sheet
}

/// Reads `style=""`'s declarations.
pub fn parse_inline(text: &str) -> Vec<Declaration> {
    let mut p = Parser::new(text);
    read_declarations(&mut p).0
}

struct SheetReader<'a> {
    name: &'a str,
    out: &'a mut Sheet,
    /// The undecidable conditions of the enclosing at-rules.
    conditions: Vec<String>,
    reading: &'a mut Reading,
    /// The cascade layer being read (`a.b`), empty outside any.
    layer: String,
    /// Anonymous layers named so far in this sheet.
    anonymous: usize,
}

impl SheetReader<'_> {
    /// The full path of layer `name` declared inside the current one.
    fn nested_layer(&self, name: &str) -> String {
        if self.layer.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.layer)
        }
    }
}

fn read_rules(p: &mut Parser<'_>, reader: &mut SheetReader<'_>, depth: usize) {
    let mut nested = AtDepth { reader, depth };
    for item in StyleSheetParser::new(p, &mut nested) {
        // An invalid rule drops itself only (CSS error recovery).
        let _ = item;
    }
}

struct AtDepth<'r, 'a> {
    reader: &'r mut SheetReader<'a>,
    depth: usize,
}

/// An at-rule's prelude, as far as the cascade cares.
enum AtPrelude {
    /// `@media` with its query text.
    Media(String),
    /// A block whose rules apply under a condition not evaluated (`@supports`, `@layer`,
    /// `@container`).
    Conditional(String),
    Import(String),
    /// `@layer a, b;` or `@layer a { … }` (the names, or none for an anonymous layer).
    Layer(Vec<String>),
    /// An at-rule that styles no element's colours (`@font-face`, `@keyframes`, `@page`).
    Other,
}

impl<'i> AtRuleParser<'i> for AtDepth<'_, '_> {
    type Prelude = AtPrelude;
    type AtRule = ();
    type Error = ();

    fn parse_prelude(
        &mut self,
        name: CowRcStr<'i>,
        input: &mut Parser<'i>,
    ) -> Result<AtPrelude, ParseError<()>> {
        let start = input.position();
        while input.next().is_ok() {}
        let text = input.slice_from(start).trim().to_string();
        Ok(match name.to_ascii_lowercase().as_str() {
            "media" => AtPrelude::Media(text),
            "import" => AtPrelude::Import(text),
            "layer" => AtPrelude::Layer(
                text.split(',')
                    .map(|n| n.trim().to_string())
                    .filter(|n| !n.is_empty())
                    .collect(),
            ),
            "supports" | "container" | "scope" | "document" | "starting-style" => {
                AtPrelude::Conditional(format!("@{name} {text}").trim().to_string())
            }
            _ => AtPrelude::Other,
        })
    }

    fn rule_without_block(&mut self, prelude: AtPrelude, _: &ParserState) -> Result<(), ()> {
        if let AtPrelude::Layer(names) = &prelude {
            for n in names {
                let path = self.reader.nested_layer(n);
                self.reader.reading.declare(&path);
            }
        }
        if let AtPrelude::Import(text) = prelude {
            // `@import url(x) print;` never applies on a screen; any other import is not fetched.
            if media_applies(import_media(&text)) != MediaMatch::Never {
                self.reader.out.blockers.push(format!(
                    "{} imports {} (not fetched)",
                    self.reader.name,
                    short(&text)
                ));
            }
        }
        Ok(())
    }

    fn parse_block(
        &mut self,
        prelude: AtPrelude,
        _: &ParserState,
        input: &mut Parser<'i>,
    ) -> Result<(), ParseError<()>> {
        let mut layer = None;
        let condition = match prelude {
            AtPrelude::Layer(names) => {
                let name = match names.as_slice() {
                    [one] => one.clone(),
                    [] => {
                        self.reader.anonymous += 1;
                        format!("(anonymous {} {})", self.reader.name, self.reader.anonymous)
                    }
                    _ => return Ok(()),
                };
                let path = self.reader.nested_layer(&name);
                self.reader.reading.declare(&path);
                layer = Some(std::mem::replace(&mut self.reader.layer, path));
                None
            }
            AtPrelude::Media(q) => match media_applies(&q) {
                MediaMatch::Always => None,
                MediaMatch::Never => return Ok(()),
                MediaMatch::Depends => Some(format!("@media {q}")),
            },
            AtPrelude::Conditional(c) => Some(c),
            AtPrelude::Import(_) | AtPrelude::Other => return Ok(()),
        };
        if self.depth >= MAX_AT_DEPTH {
            self.reader.out.blockers.push(format!(
                "{} nests at-rules deeper than {MAX_AT_DEPTH} (not read)",
                self.reader.name
            ));
            return Ok(());
        }
        let pushed = condition.is_some();
        if let Some(c) = condition {
            self.reader.conditions.push(c);
        }
        read_rules(input, self.reader, self.depth + 1);
        if pushed {
            self.reader.conditions.pop();
        }
        if let Some(outer) = layer {
            self.reader.layer = outer;
        }
        Ok(())
    }
}

impl<'i> QualifiedRuleParser<'i> for AtDepth<'_, '_> {
    type Prelude = Vec<RuleSelector>;
    type QualifiedRule = ();
    type Error = ();

    fn parse_prelude(
        &mut self,
        input: &mut Parser<'i>,
    ) -> Result<Vec<RuleSelector>, ParseError<()>> {
        let mut pieces = Vec::new();
        let mut piece = input.position();
        loop {
            let at = input.position();
            match input.next().cloned() {
                Ok(Token::Comma) => {
                    pieces.push(input.slice(piece..at));
                    piece = input.position();
                }
                Ok(t) => skip_block(input, &t),
                Err(_) => {
                    pieces.push(input.slice_from(piece));
                    break;
                }
            }
        }
        Ok(pieces.into_iter().filter_map(rule_selector).collect())
    }

    fn parse_block(
        &mut self,
        selectors: Vec<RuleSelector>,
        _: &ParserState,
        input: &mut Parser<'i>,
    ) -> Result<(), ParseError<()>> {
        if self.reader.reading.budget == 0 {
            if !self.reader.out.blockers.iter().any(|b| b.contains("rules")) {
                self.reader.out.blockers.push(format!(
                    "the page's styles have more than {MAX_RULES} rules; the rest were not read"
                ));
            }
            return Ok(());
        }
        self.reader.reading.budget -= 1;
        let (declarations, nested) = read_declarations(input);
        if nested {
            self.reader.out.blockers.push(format!(
                "{} nests style rules (CSS nesting, not evaluated)",
                self.reader.name
            ));
        }
        if selectors.is_empty() || declarations.is_empty() {
            return Ok(());
        }
        let condition =
            (!self.reader.conditions.is_empty()).then(|| self.reader.conditions.join(" "));
        let layer = if self.reader.layer.is_empty() {
            vec![usize::MAX]
        } else {
            self.reader.reading.layer_key(&self.reader.layer)
        };
        self.reader.out.rules.push(StyleRule {
            selectors,
            declarations,
            condition,
            layer,
        });
        Ok(())
    }
}

/// Reads a declaration block: the declarations kept, and whether it nests rules.
fn read_declarations(input: &mut Parser<'_>) -> (Vec<Declaration>, bool) {
    let mut reader = DeclReader;
    let mut out = Vec::new();
    let mut nested = false;
    for item in RuleBodyParser::new(input, &mut reader) {
        match item {
            Ok(decls) => out.extend(decls),
            // A bad declaration drops itself; one holding a block is a nested rule.
            Err((_, text, _)) => nested |= text.contains('{'),
        }
    }
    (out, nested)
}

struct DeclReader;

impl<'i> DeclarationParser<'i> for DeclReader {
    type Declaration = Vec<Declaration>;
    type Error = ();

    fn parse_value(
        &mut self,
        name: CowRcStr<'i>,
        input: &mut Parser<'i>,
        _: &ParserState,
    ) -> Result<Vec<Declaration>, ParseError<()>> {
        let start = input.position();
        while input.next().is_ok() {}
        let (value, important) = split_important(input.slice_from(start));
        if value.is_empty() {
            return Err(ParseError::unexpected_token());
        }
        let lower = name.to_ascii_lowercase();
        let one = |prop: Prop| {
            vec![Declaration {
                prop,
                value: value.clone(),
                important,
                shorthand: None,
            }]
        };
        let two = |a: Prop, b: Prop, s: Shorthand| {
            [a, b]
                .into_iter()
                .map(|prop| Declaration {
                    prop,
                    value: value.clone(),
                    important,
                    shorthand: Some(s),
                })
                .collect()
        };
        Ok(match lower.as_str() {
            _ if name.starts_with("--") => one(Prop::Custom(name.to_string())),
            "color" => one(Prop::Color),
            "background-color" => one(Prop::BackgroundColor),
            "background-image" => one(Prop::BackgroundImage),
            "background" => two(
                Prop::BackgroundColor,
                Prop::BackgroundImage,
                Shorthand::Background,
            ),
            "opacity" => one(Prop::Opacity),
            "font-size" => one(Prop::FontSize),
            "font-weight" => one(Prop::FontWeight),
            "font" => two(Prop::FontSize, Prop::FontWeight, Shorthand::Font),
            "display" => one(Prop::Display),
            "visibility" => one(Prop::Visibility),
            "position" => one(Prop::Position),
            "filter" => one(Prop::Effect("filter")),
            "backdrop-filter" => one(Prop::Effect("backdrop-filter")),
            "mix-blend-mode" => one(Prop::Effect("mix-blend-mode")),
            "-webkit-text-fill-color" => one(Prop::Effect("-webkit-text-fill-color")),
            _ => Vec::new(),
        })
    }
}

impl<'i> AtRuleParser<'i> for DeclReader {
    type Prelude = ();
    type AtRule = Vec<Declaration>;
    type Error = ();
}

impl<'i> QualifiedRuleParser<'i> for DeclReader {
    type Prelude = ();
    type QualifiedRule = Vec<Declaration>;
    type Error = ();
}

impl<'i> RuleBodyItemParser<'i, Vec<Declaration>, ()> for DeclReader {
    fn parse_declarations(&self) -> bool {
        true
    }
    fn parse_qualified(&self) -> bool {
        false
    }
}

/// A value without its `!important`, and whether it had one.
fn split_important(raw: &str) -> (String, bool) {
    let v = raw.trim();
    let lower = v.to_ascii_lowercase();
    if let Some(rest) = lower.strip_suffix("important") {
        let rest = rest.trim_end();
        if let Some(before) = rest.strip_suffix('!') {
            return (v[..before.len()].trim().to_string(), true);
        }
    }
    (v.to_string(), false)
}

/// The media query list of an `@import` prelude: what follows its URL (and any `layer()` or
/// `supports()`, which leave it undecidable as any import is).
fn import_media(prelude: &str) -> &str {
    let mut p = Parser::new(prelude);
    if let Ok(t) = p.next().cloned() {
        skip_block(&mut p, &t);
    }
    prelude
        .get(p.position().byte_index()..)
        .unwrap_or("")
        .trim()
}

/// Whether a media query list applies to the static screen state.
#[derive(Debug, PartialEq, Eq)]
pub enum MediaMatch {
    Always,
    Never,
    /// It depends on the viewport or the user's settings (`(min-width: 40em)`).
    Depends,
}

/// Evaluates a media query list (`screen`, `print`, `(min-width: 40em)`); empty is `all`.
pub fn media_applies(list: &str) -> MediaMatch {
    if list.trim().is_empty() {
        return MediaMatch::Always;
    }
    let mut result = MediaMatch::Never;
    for query in list.split(',') {
        let q = query.trim().to_ascii_lowercase();
        let q = q.strip_prefix("only ").unwrap_or(&q).trim_start();
        let (negated, q) = match q.strip_prefix("not ") {
            Some(rest) => (true, rest.trim_start()),
            None => (false, q),
        };
        let has_features = q.contains('(');
        let media_type = if q.starts_with('(') {
            "all"
        } else {
            q.split_whitespace().next().unwrap_or("all")
        };
        let type_on_screen = matches!(media_type, "all" | "screen");
        let this = match (has_features, negated) {
            (false, false) if type_on_screen => MediaMatch::Always,
            (false, true) if !type_on_screen => MediaMatch::Always,
            (false, _) => MediaMatch::Never,
            (true, false) if !type_on_screen => MediaMatch::Never,
            (true, _) => MediaMatch::Depends,
        };
        match this {
            MediaMatch::Always => return MediaMatch::Always,
            MediaMatch::Depends => result = MediaMatch::Depends,
            MediaMatch::Never => {}
        }
    }
    result
}

/// Pseudo-classes that hold only while the user acts (or for visited links): a selector with
/// one never applies to the page as fetched.
const USER_STATES: &[&str] = &[
    "hover",
    "focus",
    "focus-visible",
    "focus-within",
    "active",
    "visited",
    "target",
    "target-within",
];
/// Pseudo-elements that style generated content, not the element's text.
const GENERATED: &[&str] = &[
    "before",
    "after",
    "marker",
    "placeholder",
    "selection",
    "backdrop",
    "file-selector-button",
    "spelling-error",
    "grammar-error",
    "target-text",
    "highlight",
    "cue",
    "part",
    "slotted",
];
/// The tree-structural pseudo-classes `selectors` matches itself.
const STRUCTURAL: &[&str] = &[
    "root",
    "empty",
    "scope",
    "first-child",
    "last-child",
    "only-child",
    "first-of-type",
    "last-of-type",
    "only-of-type",
    "nth-child",
    "nth-last-child",
    "nth-of-type",
    "nth-last-of-type",
    "not",
    "is",
    "where",
    "has",
];

/// One selector of a list, made ready to match: `None` when it never applies statically
/// (`a:hover`, `p::before`) or cannot be parsed (skipped, as CSS error recovery does).
/// Pseudo-classes `selectors` does not know are rewritten to attribute tests where they mean
/// one (`:link` is `[href]`) and otherwise matched loosely, the match then only possible.
fn rule_selector(text: &str) -> Option<RuleSelector> {
    if nesting(text) > MAX_SELECTOR_NESTING {
        // `selectors` parses nested `:is(:is(…))` by recursion: bound it before.
        return None;
    }
    let mut p = Parser::new(text);
    let mut out = String::new();
    let mut loose = 0u32;
    let mut maybe = None;
    let mut last = p.position();
    loop {
        let at = p.position();
        let Ok(token) = p.next_including_whitespace().cloned() else {
            out.push_str(p.slice_from(last));
            break;
        };
        if token != Token::Colon {
            skip_block(&mut p, &token);
            continue;
        }
        out.push_str(p.slice(last..at));
        let element = p.try_parse(|p| p.expect_colon()).is_ok();
        let (name, function) = match p.next_including_whitespace().cloned() {
            Ok(Token::Ident(n)) => (n.to_ascii_lowercase(), false),
            Ok(t @ Token::Function(_)) => {
                skip_block(&mut p, &t);
                let Token::Function(n) = t else { return None };
                (n.to_ascii_lowercase(), true)
            }
            _ => return None,
        };
        let whole = p.slice_from(at).to_string();
        last = p.position();
        let legacy_element = matches!(
            name.as_str(),
            "before" | "after" | "first-line" | "first-letter"
        );
        if USER_STATES.contains(&name.as_str())
            || ((element || legacy_element) && GENERATED.contains(&name.as_str()))
        {
            return None;
        }
        match name.as_str() {
            _ if element || legacy_element => {
                // ::first-line / ::first-letter colour part of the element's own text.
                loose += 1;
                maybe = Some(format!("colour set for {whole} in `{}`", short(text)));
                out.push_str(":is(*)");
            }
            "link" | "any-link" if !function => out.push_str("[href]"),
            "disabled" if !function => out.push_str("[disabled]"),
            "enabled" if !function => out.push_str(":not([disabled])"),
            "checked" if !function => out.push_str("[checked]"),
            "required" if !function => out.push_str("[required]"),
            "optional" if !function => out.push_str(":not([required])"),
            n if STRUCTURAL.contains(&n) => out.push_str(&whole),
            _ => {
                loose += 1;
                maybe = Some(format!("selector `{}` not evaluated", short(text)));
                out.push_str(":is(*)");
            }
        }
    }
    let mut parser = Parser::new(&out);
    let list =
        SelectorList::parse(&scraper::selector::Parser, &mut parser, ParseRelative::No).ok()?;
    let selector = list.slice().first()?.clone();
    let mut iter = selector.iter();
    let key = compound_key(&mut iter);
    let ancestor = match iter.next_sequence() {
        Some(Combinator::Descendant | Combinator::Child) => {
            Some(compound_key(&mut iter)).filter(|k| *k != Key::Any)
        }
        _ => None,
    };
    Some(RuleSelector {
        ancestor,
        specificity: selector.specificity() + (loose << 10),
        selector,
        key,
        maybe,
    })
}

/// The deepest selector nesting (`:is(:not(…))`) parsed; a deeper selector is skipped.
const MAX_SELECTOR_NESTING: usize = 32;

/// How deep brackets nest in `text`.
fn nesting(text: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for b in text.bytes() {
        match b {
            b'(' | b'[' => {
                depth += 1;
                max = max.max(depth);
            }
            b')' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// Consumes the block `token` opens, if it opens one, so positions taken next are after it.
pub fn skip_block(p: &mut Parser<'_>, token: &Token<'_>) {
    if matches!(
        token,
        Token::Function(_)
            | Token::ParenthesisBlock
            | Token::SquareBracketBlock
            | Token::CurlyBracketBlock
    ) {
        let _ = p.parse_nested_block(|b| {
            while b.next().is_ok() {}
            Ok::<_, ParseError<()>>(())
        });
    }
}

/// The id, else a class, else the tag one compound of a selector requires.
fn compound_key(compound: &mut SelectorIter<'_, Simple>) -> Key {
    let mut key = Key::Any;
    for component in compound.by_ref() {
        match component {
            Component::ID(id) if !matches!(key, Key::Id(_)) => key = Key::Id(id.0.to_string()),
            Component::Class(c) if matches!(key, Key::Any | Key::Tag(_)) => {
                key = Key::Class(c.0.to_string())
            }
            Component::LocalName(n) if key == Key::Any => {
                key = Key::Tag(n.lower_name.0.to_string())
            }
            _ => {}
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(text: &str) -> Sheet {
        parse_sheet(text, "test.css", None, &mut Reading::new(MAX_RULES))
    }

    fn specificity(sel: &str) -> Option<u32> {
        rule_selector(sel).map(|s| s.specificity)
    }

    #[test]
    fn specificity_orders_ids_over_classes_over_tags() {
        let s = |t| specificity(t).expect(t);
        assert_eq!(s("p"), 1);
        assert_eq!(s(".a"), 1 << 10);
        assert_eq!(s("#x"), 1 << 20);
        assert_eq!(s("main p.a[title]"), (2 << 10) | 2);
        assert!(s("#x") > s(".a.b.c.d.e.f.g.h.i.j.k"));
        assert!(s(".a") > s("html body main div p span"));
        assert_eq!(s("a:link"), s("a[href]"));
        assert_eq!(s(":where(#x) p"), 1);
        assert_eq!(s(":is(#x, p) b"), (1 << 20) | 1);
        assert_eq!(s("p:first-child"), (1 << 10) | 1);
    }

    #[test]
    fn user_states_and_generated_content_never_apply_and_bad_selectors_are_skipped() {
        for never in [
            "a:hover",
            "a:focus",
            ".x:visited",
            "p::before",
            "p:after",
            "p::placeholder",
            "p[",
            "!!",
            "",
        ] {
            assert!(rule_selector(never).is_none(), "{never}");
        }
        let loose = rule_selector("p:lang(en)").expect("loose");
        assert!(loose.maybe.is_some());
        assert_eq!(loose.specificity, (1 << 10) | 1);
        assert!(rule_selector("p::first-line").is_some_and(|s| s.maybe.is_some()));
    }

    #[test]
    fn a_list_keeps_its_other_selectors_when_one_never_applies() {
        let s = sheet("a:hover, .b, p::before { color: red }");
        assert_eq!(s.rules.len(), 1);
        assert_eq!(s.rules[0].selectors.len(), 1);
        assert_eq!(s.rules[0].selectors[0].key, Key::Class("b".into()));
    }

    #[test]
    fn declarations_recover_from_errors_and_keep_important() {
        let s = sheet(
            "p { color: ; color: red !IMPORTANT; margin: 0; background: url(x.png) #fff; --Brand: #123 }\n\
             }}} garbage { ; } .ok { font: bold 24px/1.2 serif }",
        );
        let d = &s.rules[0].declarations;
        assert_eq!(d[0].prop, Prop::Color);
        assert_eq!(d[0].value, "red");
        assert!(d[0].important);
        assert_eq!(d[1].prop, Prop::BackgroundColor);
        assert_eq!(d[1].shorthand, Some(Shorthand::Background));
        assert_eq!(d[2].prop, Prop::BackgroundImage);
        assert_eq!(d[3].prop, Prop::Custom("--Brand".into()));
        assert!(
            s.rules
                .iter()
                .any(|r| r.declarations[0].prop == Prop::FontSize)
        );
    }

    #[test]
    fn media_blocks_apply_on_screen_and_depend_on_features() {
        let s = sheet(
            "@media print { p { color: red } } @media screen, print { p { color: blue } }\n\
             @media (min-width: 40em) { p { color: green } } @import url(x.css) print;",
        );
        assert_eq!(s.rules.len(), 2);
        assert_eq!(s.rules[0].condition, None);
        assert_eq!(
            s.rules[1].condition.as_deref(),
            Some("@media (min-width: 40em)")
        );
        assert!(s.blockers.is_empty());
        assert_eq!(media_applies("not print"), MediaMatch::Always);
        assert_eq!(
            media_applies("only screen and (max-width: 600px)"),
            MediaMatch::Depends
        );
        assert_eq!(media_applies("print and (color)"), MediaMatch::Never);
        assert_eq!(
            media_applies("(prefers-color-scheme: dark)"),
            MediaMatch::Depends
        );
    }

    #[test]
    fn layers_order_by_first_naming_with_sublayers_before_their_parent() {
        let mut reading = Reading::new(MAX_RULES);
        let s = parse_sheet(
            "@layer base, theme; @layer theme { p { color: red } } @layer base { p { color: blue } \
             @layer reset { p { color: green } } } p { color: black }",
            "x",
            None,
            &mut reading,
        );
        let keys: Vec<_> = s.rules.iter().map(|r| r.layer.clone()).collect();
        assert_eq!(
            keys,
            [
                vec![1, usize::MAX],
                vec![0, usize::MAX],
                vec![0, 0, usize::MAX],
                vec![usize::MAX]
            ]
        );
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(
            sorted,
            [
                keys[2].clone(),
                keys[1].clone(),
                keys[0].clone(),
                keys[3].clone()
            ]
        );
    }

    #[test]
    fn an_import_blocks_and_the_rule_bound_holds() {
        let s = sheet("@import url(\"theme.css\"); p { color: red }");
        assert_eq!(s.blockers.len(), 1);
        assert!(s.blockers[0].contains("theme.css"), "{:?}", s.blockers);
        let mut budget = Reading::new(2);
        let s = parse_sheet(
            "a{color:red} b{color:red} i{color:red}",
            "x",
            None,
            &mut budget,
        );
        assert_eq!(s.rules.len(), 2);
        assert_eq!(s.blockers.len(), 1);
    }
}
