//! What `PyYAML`'s `safe_load` makes of a node: aliases followed to their anchors, merge keys
//! (`<<: *defaults`) flattened, repeated keys resolved last-wins, and every scalar typed by its
//! tag. Galaxy reads its config this way, so a section copied into another file must resolve to
//! the same [`Value`] there.
//!
//! The model is stricter than Python's equality (`1` and `0x1` are different scalars here), so
//! two nodes that resolve to equal values certainly load as equal objects. What `safe_load`
//! refuses is [`super::safe_load`]'s to say, before a document is resolved; the errors here are
//! safeguards, and the places zergcfg cannot follow what `PyYAML` reads (an alias inside its own
//! anchor, a mapping merged into itself).

use std::collections::HashMap;

use super::safe_load::{self, implicit_tag};
use super::{Node, Scalar, ScalarStyle, YamlError};
use crate::source::Span;

/// How many nodes resolving may visit, aliases followed: `PyYAML` shares aliased objects, a tree
/// copies them, so a file of nested aliases is refused rather than expanded without end.
const MAX_NODES: usize = 1_000_000;

/// The tag prefix of `!!` shorthands.
const CORE: &str = "tag:yaml.org,2002:";

/// A loaded value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A scalar: its resolved tag and its text.
    Scalar {
        /// Full tag, such as `tag:yaml.org,2002:str`.
        tag: String,
        /// The scalar's content.
        text: String,
    },
    /// A sequence.
    Seq(Vec<Value>),
    /// A mapping as a Python dict: each key once, at its first place, with its last value.
    Map(Vec<(Value, Value)>),
}

impl Value {
    /// A `str` scalar.
    pub fn str(text: &str) -> Self {
        Value::Scalar { tag: format!("{CORE}str"), text: text.to_string() }
    }

    /// Sets `key` to `value` in a mapping, as a later repeated key does.
    pub fn set(&mut self, key: Value, value: Value) {
        if let Value::Map(entries) = self {
            match entries.iter_mut().find(|(k, _)| *k == key) {
                Some(entry) => entry.1 = value,
                None => entries.push((key, value)),
            }
        }
    }
}

/// The anchors of a document, each with the node it names.
#[derive(Debug, Default)]
pub struct Anchors<'d> {
    nodes: HashMap<&'d str, &'d Node>,
    /// Where each anchored node is (its span), for telling which section defines it.
    places: HashMap<&'d str, Span>,
}

impl<'d> Anchors<'d> {
    /// Collects the anchors of `root`.
    ///
    /// # Errors
    /// An anchor defined twice or an alias before its anchor, both of which `PyYAML` refuses.
    pub fn of(root: &'d Node) -> Result<Self, YamlError> {
        let mut anchors = Anchors::default();
        anchors.collect(root)?;
        Ok(anchors)
    }

    fn collect(&mut self, node: &'d Node) -> Result<(), YamlError> {
        if let Some(name) = anchor(node) {
            if self.nodes.insert(name, node).is_some() {
                return Err(YamlError {
                    message: format!("the anchor `&{name}` is defined twice"),
                    span: node.span(),
                });
            }
            self.places.insert(name, node.span());
        }
        match node {
            Node::Mapping { entries, .. } => {
                for entry in entries {
                    self.collect(&entry.value)?;
                }
            }
            Node::Sequence { items, .. } => {
                for item in items {
                    self.collect(item)?;
                }
            }
            Node::Alias { name, span } if !self.nodes.contains_key(name.as_str()) => {
                return Err(YamlError {
                    message: format!("the alias `*{name}` names no anchor defined before it"),
                    span: span.clone(),
                });
            }
            Node::Scalar(_) | Node::Alias { .. } => {}
        }
        Ok(())
    }

    /// The node an anchor names.
    pub fn get(&self, name: &str) -> Option<&'d Node> {
        self.nodes.get(name).copied()
    }

    /// The span of the node an anchor names.
    pub fn place(&self, name: &str) -> Option<Span> {
        self.places.get(name).cloned()
    }
}

/// The anchor set on a node.
pub fn anchor(node: &Node) -> Option<&str> {
    node.anchor()
}

/// Resolves nodes against one document's anchors.
pub struct Resolver<'a, 'd> {
    anchors: &'a Anchors<'d>,
    visited: usize,
    /// Anchors being resolved, to refuse an alias to one of its own ancestors.
    open: Vec<&'d str>,
}

impl<'a, 'd> Resolver<'a, 'd> {
    /// A resolver for the document whose anchors are `anchors`.
    pub fn new(anchors: &'a Anchors<'d>) -> Self {
        Self { anchors, visited: 0, open: Vec::new() }
    }

    /// The node an alias stands for (the node itself otherwise).
    ///
    /// # Errors
    /// An alias naming no anchor.
    pub fn target(&self, node: &'d Node) -> Result<&'d Node, YamlError> {
        match node {
            Node::Alias { name, span } => self.anchors.get(name).ok_or_else(|| YamlError {
                message: format!("the alias `*{name}` names no anchor defined before it"),
                span: span.clone(),
            }),
            other => Ok(other),
        }
    }

    /// What `safe_load` makes of `node`.
    ///
    /// # Errors
    /// An alias naming no anchor or one of its own ancestors, a merge key whose value is not a
    /// mapping or a sequence of mappings, or too many nodes.
    pub fn value(&mut self, node: &'d Node) -> Result<Value, YamlError> {
        self.visited += 1;
        if self.visited > MAX_NODES {
            return Err(YamlError {
                message: "the aliases expand to more than a million nodes".to_string(),
                span: node.span(),
            });
        }

        let name = anchor(node);
        if let Some(name) = name {
            self.open.push(name);
        }
        let value = match node {
            Node::Scalar(s) => Ok(scalar(s)),
            Node::Sequence { items, .. } => {
                items.iter().map(|item| self.value(item)).collect::<Result<_, _>>().map(Value::Seq)
            }
            Node::Mapping { .. } => {
                let mut map = Value::Map(Vec::new());
                for (key, value) in self.entries(node)? {
                    let value = self.value(value)?;
                    map.set(scalar(key), value);
                }
                Ok(map)
            }
            Node::Alias { name: alias, span } => {
                if self.open.contains(&alias.as_str()) {
                    Err(YamlError {
                        message: format!("the alias `*{alias}` is inside its own anchor"),
                        span: span.clone(),
                    })
                } else {
                    let target = self.target(node)?;
                    self.value(target)
                }
            }
        };
        if name.is_some() {
            self.open.pop();
        }
        value
    }

    /// A mapping's entries in the order `safe_load` assigns them (merged entries first, then
    /// the mapping's own, a later one overriding an earlier one with the same key), each key
    /// with its value node (an alias not yet followed). Not a mapping: no entries.
    ///
    /// # Errors
    /// A merge key whose value is not a mapping or a sequence of mappings, or an alias naming
    /// no anchor.
    pub fn entries(&mut self, node: &'d Node) -> Result<Vec<(&'d Scalar, &'d Node)>, YamlError> {
        let Node::Mapping { entries, .. } = self.target(node)? else {
            return Ok(Vec::new());
        };
        self.flatten(entries)
    }

    /// The entries of a mapping merged into another one.
    fn merged(&mut self, mapping: &'d Node) -> Result<Vec<(&'d Scalar, &'d Node)>, YamlError> {
        self.visited += 1;
        let name = anchor(mapping);
        if let Some(name) = name {
            if self.open.contains(&name) || self.visited > MAX_NODES {
                return Err(YamlError {
                    message: format!("the mapping `&{name}` is merged into itself"),
                    span: mapping.span(),
                });
            }
            self.open.push(name);
        }
        let entries = self.entries(mapping);
        if name.is_some() {
            self.open.pop();
        }
        entries
    }

    fn flatten(
        &mut self,
        entries: &'d [super::Entry],
    ) -> Result<Vec<(&'d Scalar, &'d Node)>, YamlError> {
        let mut merged = Vec::new();
        let mut own = Vec::new();
        for entry in entries {
            if !is_merge_key(&entry.key) {
                own.push((&entry.key, &entry.value));
                continue;
            }
            match self.target(&entry.value)? {
                mapping @ Node::Mapping { .. } => merged.extend(self.merged(mapping)?),
                Node::Sequence { items, .. } => {
                    let mut each = Vec::new();
                    for item in items {
                        let item = self.target(item)?;
                        if !matches!(item, Node::Mapping { .. }) {
                            return Err(merge_error(item.span()));
                        }
                        each.push(self.merged(item)?);
                    }
                    // PyYAML lets an earlier mapping of the list win over a later one.
                    for entries in each.into_iter().rev() {
                        merged.extend(entries);
                    }
                }
                other => return Err(merge_error(other.span())),
            }
        }
        merged.extend(own);
        Ok(merged)
    }

    /// The value node `safe_load` gives `key` in a mapping (the last assignment), alias
    /// followed, with the key as written there.
    ///
    /// # Errors
    /// As [`Resolver::entries`].
    pub fn get(
        &mut self,
        mapping: &'d Node,
        key: &str,
    ) -> Result<Option<(&'d Scalar, &'d Node)>, YamlError> {
        let found = self.entries(mapping)?.into_iter().rev().find(|(k, _)| is_str_key(k, key));
        found.map(|(k, v)| self.target(v).map(|v| (k, v))).transpose()
    }
}

fn merge_error(span: Span) -> YamlError {
    YamlError {
        message: "a merge key `<<` takes a mapping or a list of mappings".to_string(),
        span,
    }
}

/// Whether a key is `PyYAML`'s merge key: a plain `<<` or one tagged `!!merge`.
fn is_merge_key(key: &Scalar) -> bool {
    match &key.tag {
        Some(tag) => full_tag(tag) == format!("{CORE}merge"),
        None => key.style == ScalarStyle::Plain && key.value == "<<",
    }
}

/// Whether a key loads as the string `name`.
fn is_str_key(key: &Scalar, name: &str) -> bool {
    key.value == name && scalar(key) == Value::str(name)
}

/// A scalar's value: its explicit tag, else the implicit one of a plain scalar, else `str`.
fn scalar(s: &Scalar) -> Value {
    let tag = match &s.tag {
        Some(tag) => full_tag(tag),
        None if s.style == ScalarStyle::Plain => {
            // PyYAML reads a plain `=` key as a string.
            match implicit_tag(&s.value) {
                "value" => format!("{CORE}str"),
                tag => format!("{CORE}{tag}"),
            }
        }
        None => format!("{CORE}str"),
    };
    Value::Scalar { tag, text: s.value.clone() }
}

/// A tag as written (`!!str`, `!`, `!<...>`, `!local`) in full; the non-specific `!` makes a
/// scalar a string.
fn full_tag(tag: &str) -> String {
    safe_load::full_tag(tag).unwrap_or_else(|| format!("{CORE}str"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse;

    fn load(text: &str) -> Result<Value, YamlError> {
        let docs = parse(text)?;
        let root = &docs[0].root;
        let anchors = Anchors::of(root)?;
        Resolver::new(&anchors).value(root)
    }

    fn s(text: &str) -> Value {
        Value::str(text)
    }

    fn int(text: &str) -> Value {
        Value::Scalar { tag: format!("{CORE}int"), text: text.to_string() }
    }

    #[test]
    fn merges_and_aliases_load_as_pyyaml_loads_them() {
        // yaml.safe_load of the same text gives {'a': {'x': 1, 'y': 2}, 'b': {'x': 3, 'y': 2, 'z': 1}}.
        let text = "a: &a\n  x: 1\n  y: 2\nb:\n  x: 3\n  <<: *a\n  z: 1\n";
        let b = Value::Map(vec![(s("x"), int("3")), (s("y"), int("2")), (s("z"), int("1"))]);
        let Value::Map(root) = load(text).unwrap() else { panic!("not a map") };
        assert_eq!(root[1], (s("b"), b));
    }

    #[test]
    fn an_earlier_mapping_of_a_merge_list_wins() {
        // PyYAML 6.0.3 (Galaxy 21.09's) gives {'c': {'brand': 'one', 'm': 1}}: the first of the
        // list wins.
        let text = "p: &p {brand: one}\nq: &q {brand: two, m: 1}\nc:\n  <<: [*p, *q]\n";
        let Value::Map(root) = load(text).unwrap() else { panic!("not a map") };
        let c = Value::Map(vec![(s("brand"), s("one")), (s("m"), int("1"))]);
        assert_eq!(root[2], (s("c"), c));
    }

    #[test]
    fn a_quoted_merge_key_is_a_string() {
        let text = "'<<': x\n";
        assert_eq!(load(text).unwrap(), Value::Map(vec![(s("<<"), s("x"))]));
    }

    #[test]
    fn repeated_keys_keep_the_first_place_and_the_last_value() {
        let text = "a: 1\nb: 2\na: 3\n";
        assert_eq!(load(text).unwrap(), Value::Map(vec![(s("a"), int("3")), (s("b"), int("2"))]));
    }

    #[test]
    fn scalars_are_typed_as_pyyaml_types_them() {
        let text = "a: 1\nb: '1'\nc: !!str 1\nd: |\n  1\ne: ~\nf: !<tag:yaml.org,2002:int> 2\n";
        let Value::Map(root) = load(text).unwrap() else { panic!("not a map") };
        let tags: Vec<String> = root
            .iter()
            .map(|(_, v)| match v {
                Value::Scalar { tag, .. } => tag.trim_start_matches(CORE).to_string(),
                _ => String::new(),
            })
            .collect();
        assert_eq!(tags, ["int", "str", "str", "str", "null", "int"]);
    }

    #[test]
    fn what_cannot_be_followed_is_an_error() {
        assert!(load("a: &x 1\nb: &x 2\n").unwrap_err().message.contains("twice"));
        assert!(load("a: *x\nb: &x 1\n").is_err());
        assert!(load("a: &r\n  b: *r\n").unwrap_err().message.contains("inside its own anchor"));
        assert!(load("a:\n  <<: 1\n").unwrap_err().message.contains("merge key"));
        assert!(load("a: &a\n  <<: *a\n").is_err());
    }

    #[test]
    fn looking_up_a_key_follows_merges() {
        let text = "d: &d\n  job_config_file: a.xml\ng:\n  <<: *d\n  brand: x\n";
        let docs = parse(text).unwrap();
        let root = &docs[0].root;
        let anchors = Anchors::of(root).unwrap();
        let mut resolver = Resolver::new(&anchors);
        let g = &root.get_last("g").unwrap().value;
        let (key, value) = resolver.get(g, "job_config_file").unwrap().unwrap();
        assert_eq!(&text[key.span.clone()], "job_config_file");
        assert_eq!(key.span.start, 8);
        assert_eq!(value.as_scalar().unwrap().value, "a.xml");
        assert!(resolver.get(g, "other").unwrap().is_none());
    }
}
