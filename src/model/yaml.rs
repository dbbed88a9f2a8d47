//! YAML as a tree of located nodes, and a serde deserializer over that tree whose errors carry
//! the line and column of the node that caused them and the key path that leads to it.
//!
//! serde-saphyr parses (and rejects duplicate keys); this module keeps every node's location so
//! that unknown fields and type errors point into the user's file, which a direct
//! `from_str::<T>` does not do for unknown fields. Booleans follow the YAML 1.2 core schema: only
//! `true` and `false` (any case), never YAML 1.1's `y`, `n`, `yes`, `no`, `on`, `off`.

use std::fmt;

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::{Deserialize, Deserializer};

/// A position in a YAML file (1-based); `len` is the byte length of the token, for carets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Loc {
    pub line: u32,
    pub column: u32,
    pub len: u32,
}

impl Loc {
    fn from_saphyr(l: &serde_saphyr::Location) -> Loc {
        Loc {
            line: l.line() as u32,
            column: l.column() as u32,
            len: l.span().len() as u32,
        }
    }
}

/// One YAML node and where it was written.
#[derive(Clone, Debug)]
pub struct Node {
    pub loc: Loc,
    pub kind: NodeKind,
}

/// The value of a node.
#[derive(Clone, Debug)]
pub enum NodeKind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl NodeKind {
    fn describe(&self) -> &'static str {
        match self {
            NodeKind::Null => "null",
            NodeKind::Bool(_) => "a boolean",
            NodeKind::Int(_) => "an integer",
            NodeKind::Float(_) => "a number",
            NodeKind::Str(_) => "a string",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a mapping",
        }
    }
}

impl Node {
    /// An empty mapping with no location (a `with:` left out).
    pub fn empty_map() -> Node {
        Node {
            loc: Loc::default(),
            kind: NodeKind::Map(Vec::new()),
        }
    }

    /// The string value of a scalar key.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value under `key` when this node is a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            NodeKind::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        let spanned = serde_saphyr::Spanned::<NodeKind>::deserialize(d)?;
        Ok(Node {
            loc: Loc::from_saphyr(&spanned.referenced),
            kind: spanned.value,
        })
    }
}

impl<'de> Deserialize<'de> for NodeKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<NodeKind, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = NodeKind;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_unit<E>(self) -> Result<NodeKind, E> {
                Ok(NodeKind::Null)
            }
            fn visit_none<E>(self) -> Result<NodeKind, E> {
                Ok(NodeKind::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<NodeKind, D::Error> {
                NodeKind::deserialize(d)
            }
            fn visit_bool<E>(self, v: bool) -> Result<NodeKind, E> {
                Ok(NodeKind::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<NodeKind, E> {
                Ok(NodeKind::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<NodeKind, E> {
                Ok(i64::try_from(v).map_or(NodeKind::Float(v as f64), NodeKind::Int))
            }
            fn visit_f64<E>(self, v: f64) -> Result<NodeKind, E> {
                Ok(NodeKind::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<NodeKind, E> {
                Ok(NodeKind::Str(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<NodeKind, E> {
                Ok(NodeKind::Str(v))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<NodeKind, A::Error> {
                let mut items = Vec::new();
                while let Some(n) = seq.next_element::<Node>()? {
                    items.push(n);
                }
                Ok(NodeKind::Seq(items))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<NodeKind, A::Error> {
                let mut entries = Vec::new();
                while let Some(k) = map.next_key::<Node>()? {
                    let v = map.next_value::<Node>()?;
                    entries.push((k, v));
                }
                Ok(NodeKind::Map(entries))
            }
        }
        d.deserialize_any(V)
    }
}

/// A YAML syntax error (or duplicate key) with its position.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    pub message: String,
    pub loc: Loc,
}

/// The deepest nesting of lists and mappings a file may have: far beyond any real input, and
/// shallow enough that reading the tree never nears the end of the stack.
pub const MAX_DEPTH: usize = 64;

/// Parses YAML text into a located tree.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let opts = serde_saphyr::Options {
        with_snippet: false,
        strict_booleans: true,
        budget: Some(serde_saphyr::Budget {
            max_depth: MAX_DEPTH,
            ..serde_saphyr::Budget::default()
        }),
        ..serde_saphyr::Options::default()
    };
    match serde_saphyr::from_str_with_options::<Node>(text, opts) {
        Ok(node) => Ok(node),
        Err(e) => {
            let loc = e
                .location()
                .map(|l| Loc::from_saphyr(&l))
                .unwrap_or_default();
            let message = match e.without_snippet() {
                serde_saphyr::Error::Budget { breach, .. } => over_budget(breach),
                other => {
                    let msg = other.to_string();
                    // serde-saphyr appends " at line L, column C"; we print the location
                    // ourselves.
                    match msg.rfind(" at line ") {
                        Some(i) => msg[..i].to_string(),
                        None => msg,
                    }
                }
            };
            Err(SyntaxError { message, loc })
        }
    }
}

/// The message for a file nested deeper than [`MAX_DEPTH`].
pub fn too_deep() -> String {
    format!("lists and mappings nest more than {MAX_DEPTH} levels deep; the limit is {MAX_DEPTH}")
}

/// A limit of the parser's, said in the user's terms.
fn over_budget(breach: &serde_saphyr::budget::BudgetBreach) -> String {
    use serde_saphyr::budget::BudgetBreach as B;
    match breach {
        B::Depth { .. } => too_deep(),
        B::Aliases { .. }
        | B::Anchors { .. }
        | B::AliasAnchorRatio { .. }
        | B::MergeKeys { .. } => {
            "the file uses too many aliases (`*name`), anchors or merge keys".to_string()
        }
        B::Documents { .. } => "the file holds too many YAML documents".to_string(),
        B::Events { .. } | B::Nodes { .. } | B::ScalarBytes { .. } | B::InputBytes { .. } => {
            "the file is too large to read".to_string()
        }
        B::SequenceUnbalanced => "a list or mapping ends that was never started".to_string(),
    }
}

/// A deserialization error: message, where, and the key path that leads there.
#[derive(Debug, Clone)]
pub struct DeError {
    pub message: String,
    pub loc: Option<Loc>,
    pub path: Vec<String>,
}

impl DeError {
    fn at(mut self, loc: Loc) -> Self {
        self.loc.get_or_insert(loc);
        self
    }
    fn under(mut self, segment: String) -> Self {
        self.path.insert(0, segment);
        self
    }
    /// The key path, e.g. `steps[1].expect.status`.
    pub fn path_string(&self) -> String {
        let mut s = String::new();
        for seg in &self.path {
            if !seg.starts_with('[') && !s.is_empty() {
                s.push('.');
            }
            s.push_str(seg);
        }
        s
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError {
            message: msg.to_string(),
            loc: None,
            path: Vec::new(),
        }
    }
}

/// Deserializes a typed value from a node; the error points at the offending node.
pub fn from_node<'a, T: Deserialize<'a>>(node: &'a Node) -> Result<T, DeError> {
    T::deserialize(node).map_err(|e| e.at(node.loc))
}

/// Name of the newtype that asks the deserializer for a node's location.
pub(crate) const LOCATED: &str = "__vvcheck_located";

fn type_error(node: &Node, want: &str) -> DeError {
    DeError {
        message: format!("expected {want}, found {}", node.kind.describe()),
        loc: Some(node.loc),
        path: Vec::new(),
    }
}

impl<'de> Deserializer<'de> for &'de Node {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        match &self.kind {
            NodeKind::Null => v.visit_unit(),
            NodeKind::Bool(b) => v.visit_bool(*b),
            NodeKind::Int(i) => v.visit_i64(*i),
            NodeKind::Float(x) => v.visit_f64(*x),
            NodeKind::Str(s) => v.visit_str(s),
            NodeKind::Seq(items) => v.visit_seq(SeqAccess { items, next: 0 }),
            NodeKind::Map(entries) => v.visit_map(MapAccess {
                entries,
                next: 0,
                key: None,
            }),
        }
        .map_err(|e| e.at(self.loc))
    }

    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        match self.kind {
            NodeKind::Null => v.visit_none(),
            _ => v.visit_some(self),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        match &self.kind {
            NodeKind::Str(s) => v.visit_str(s),
            // A number or boolean where text is wanted is read as its text (`subject: 2024`).
            NodeKind::Int(i) => v.visit_string(i.to_string()),
            NodeKind::Float(x) => v.visit_string(x.to_string()),
            NodeKind::Bool(b) => v.visit_string(b.to_string()),
            _ => Err(type_error(self, "a string")),
        }
        .map_err(|e| e.at(self.loc))
    }

    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        self.deserialize_str(v)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        match &self.kind {
            NodeKind::Seq(items) => v
                .visit_seq(SeqAccess { items, next: 0 })
                .map_err(|e| e.at(self.loc)),
            _ => Err(type_error(self, "a list")),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        match &self.kind {
            NodeKind::Map(entries) => v
                .visit_map(MapAccess {
                    entries,
                    next: 0,
                    key: None,
                })
                .map_err(|e| e.at(self.loc)),
            _ => Err(type_error(self, "a mapping")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_map(v)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, DeError> {
        if name == LOCATED {
            v.visit_map(LocatedAccess {
                node: self,
                state: 0,
            })
        } else {
            v.visit_newtype_struct(self)
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DeError> {
        match &self.kind {
            NodeKind::Str(s) => v
                .visit_enum(s.as_str().into_deserializer())
                .map_err(|e: DeError| e.at(self.loc)),
            NodeKind::Map(entries) if entries.len() == 1 => v
                .visit_enum(EnumAccess {
                    key: &entries[0].0,
                    value: &entries[0].1,
                })
                .map_err(|e| e.at(self.loc)),
            _ => Err(type_error(self, "one of the listed names")),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, DeError> {
        v.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char
        bytes byte_buf unit unit_struct tuple tuple_struct identifier
    }
}

struct SeqAccess<'a> {
    items: &'a [Node],
    next: usize,
}

impl<'de> de::SeqAccess<'de> for SeqAccess<'de> {
    type Error = DeError;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        let Some(node) = self.items.get(self.next) else {
            return Ok(None);
        };
        let index = self.next;
        self.next += 1;
        seed.deserialize(node)
            .map(Some)
            .map_err(|e| e.at(node.loc).under(format!("[{index}]")))
    }
}

struct MapAccess<'a> {
    entries: &'a [(Node, Node)],
    next: usize,
    key: Option<&'a Node>,
}

impl<'de> de::MapAccess<'de> for MapAccess<'de> {
    type Error = DeError;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some((k, _)) = self.entries.get(self.next) else {
            return Ok(None);
        };
        self.key = Some(k);
        seed.deserialize(k).map(Some).map_err(|e| e.at(k.loc))
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let Some((k, v)) = self.entries.get(self.next) else {
            return Err(de::Error::custom("value without a key"));
        };
        self.next += 1;
        let name = k.as_str().map_or_else(|| "?".to_string(), str::to_string);
        seed.deserialize(v).map_err(|e| e.at(v.loc).under(name))
    }
}

struct EnumAccess<'a> {
    key: &'a Node,
    value: &'a Node,
}

impl<'de> de::EnumAccess<'de> for EnumAccess<'de> {
    type Error = DeError;
    type Variant = &'de Node;
    fn variant_seed<V: DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, &'de Node), DeError> {
        let variant = seed.deserialize(self.key).map_err(|e| e.at(self.key.loc))?;
        Ok((variant, self.value))
    }
}

impl<'de> de::VariantAccess<'de> for &'de Node {
    type Error = DeError;
    fn unit_variant(self) -> Result<(), DeError> {
        Ok(())
    }
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, DeError> {
        seed.deserialize(self)
    }
    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, v: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(v)
    }
    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_map(v)
    }
}

/// Feeds `Located<T>` its node's line, column and value.
struct LocatedAccess<'a> {
    node: &'a Node,
    state: u8,
}

impl<'de> de::MapAccess<'de> for LocatedAccess<'de> {
    type Error = DeError;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let key = match self.state {
            0 => "line",
            1 => "column",
            2 => "len",
            3 => "value",
            _ => return Ok(None),
        };
        seed.deserialize(key.into_deserializer()).map(Some)
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        self.state += 1;
        match self.state {
            1 => seed.deserialize(self.node.loc.line.into_deserializer()),
            2 => seed.deserialize(self.node.loc.column.into_deserializer()),
            3 => seed.deserialize(self.node.loc.len.into_deserializer()),
            _ => seed.deserialize(self.node),
        }
    }
}

#[cfg(test)]
mod yaml12_tests {
    use super::*;

    /// The YAML 1.2 core schema: `y`, `n`, `yes`, `no`, `on` and `off` are text, as a key and as
    /// a value (YAML 1.1 read them as booleans: the "Norway problem").
    #[test]
    fn only_true_and_false_are_booleans() {
        for word in ["y", "n", "yes", "no", "on", "off", "Yes", "NO", "On"] {
            let doc = parse(&format!("{word}: {word}")).expect("parses");
            let NodeKind::Map(entries) = &doc.kind else {
                panic!("a mapping");
            };
            let (k, v) = &entries[0];
            assert!(
                matches!(&k.kind, NodeKind::Str(s) if s == word),
                "key {word}: {k:?}"
            );
            assert!(
                matches!(&v.kind, NodeKind::Str(s) if s == word),
                "value {word}: {v:?}"
            );
        }
        for (word, b) in [
            ("true", true),
            ("false", false),
            ("True", true),
            ("FALSE", false),
        ] {
            let doc = parse(&format!("k: {word}")).expect("parses");
            assert!(
                matches!(doc.get("k").map(|n| &n.kind), Some(NodeKind::Bool(v)) if *v == b),
                "{word}"
            );
        }
    }
}
