//! A small namespace-aware element tree over quick-xml, the ordered-children
//! cursor the document parsers use, and the writer of the documents.

use base64::Engine as _;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;
use zeroize::Zeroizing;

use super::{DateTime, KmsDocError, NAMESPACE};

/// Deepest element nesting accepted.
const MAX_DEPTH: usize = 32;
/// Most elements accepted in one document.
const MAX_ELEMENTS: usize = 20_000;

/// The namespace of an element or attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ns {
    /// `urn:3gpp:ns:mcsecKMSInterface:1.0`.
    Kms,
    /// Another, declared namespace (an extension: skipped by the parsers).
    Other(String),
    /// No namespace (an unprefixed attribute, or an element without a
    /// default namespace), or an undeclared prefix.
    None,
}

/// An attribute.
#[derive(Debug)]
pub(crate) struct Attr {
    pub ns: Ns,
    pub name: String,
    pub value: String,
}

/// An element with its attributes, child elements and concatenated text.
#[derive(Debug)]
pub(crate) struct Node {
    pub ns: Ns,
    pub name: String,
    pub attrs: Vec<Attr>,
    pub children: Vec<Node>,
    pub text: Zeroizing<String>,
}

fn ns_of(r: &ResolveResult<'_>) -> Ns {
    match r {
        ResolveResult::Bound(ns) if ns.0 == NAMESPACE => Ns::Kms,
        ResolveResult::Bound(ns) => Ns::Other(ns.0.to_owned()),
        _ => Ns::None,
    }
}

fn xml_err(e: impl core::fmt::Display) -> KmsDocError {
    KmsDocError::Xml(e.to_string())
}

/// Parses `input` into its root element.
pub(crate) fn parse_tree(input: &str) -> Result<Node, KmsDocError> {
    let mut reader = NsReader::from_str(input);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let mut count = 0usize;
    loop {
        let (res, event) = reader.read_resolved_event().map_err(xml_err)?;
        let ns = ns_of(&res);
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                if root.is_some() {
                    return Err(KmsDocError::Xml("content after the root element".into()));
                }
                count += 1;
                if count > MAX_ELEMENTS || stack.len() >= MAX_DEPTH {
                    return Err(KmsDocError::TooComplex);
                }
                let name = e.local_name().as_ref().to_owned();
                let mut attrs = Vec::new();
                for a in e.attributes() {
                    let a = a.map_err(xml_err)?;
                    let key = a.key.as_ref();
                    if key == "xmlns" || key.starts_with("xmlns:") {
                        continue;
                    }
                    let (ares, local) = reader.resolver().resolve_attribute(a.key);
                    let ans = ns_of(&ares);
                    let value = a
                        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map_err(xml_err)?
                        .into_owned();
                    attrs.push(Attr {
                        ns: ans,
                        name: local.as_ref().to_owned(),
                        value,
                    });
                }
                let node = Node {
                    ns,
                    name,
                    attrs,
                    children: Vec::new(),
                    text: Zeroizing::new(String::new()),
                };
                if matches!(event, Event::Empty(_)) {
                    attach(&mut stack, &mut root, node);
                } else {
                    stack.push(node);
                }
            }
            Event::End(_) => {
                let node = stack
                    .pop()
                    .ok_or_else(|| KmsDocError::Xml("unmatched end tag".into()))?;
                attach(&mut stack, &mut root, node);
            }
            Event::Text(t) => {
                let content = t.xml10_content();
                push_text(&mut stack, &content)?;
            }
            Event::CData(t) => {
                let content = t.xml10_content();
                push_text(&mut stack, &content)?;
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref().map_err(xml_err)? {
                    Some(c) => c,
                    None => match r.xml10_content().as_ref() {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "apos" => '\'',
                        "quot" => '"',
                        _ => return Err(KmsDocError::Xml("unknown entity reference".into())),
                    },
                };
                push_text(&mut stack, c.encode_utf8(&mut [0u8; 4]))?;
            }
            Event::DocType(_) => return Err(KmsDocError::DocType),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(KmsDocError::Xml("unexpected end of document".into()));
    }
    root.ok_or_else(|| KmsDocError::Xml("no root element".into()))
}

fn attach(stack: &mut [Node], root: &mut Option<Node>, node: Node) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None => *root = Some(node),
    }
}

fn push_text(stack: &mut [Node], text: &str) -> Result<(), KmsDocError> {
    match stack.last_mut() {
        Some(n) => {
            n.text.push_str(text);
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err(KmsDocError::Xml("text outside the root element".into())),
    }
}

impl Node {
    /// Checks that this is element `name` of the KMS namespace.
    pub fn expect_root(&self, name: &'static str) -> Result<(), KmsDocError> {
        if self.name != name {
            return Err(KmsDocError::WrongRoot {
                expected: name,
                found: self.name.clone(),
            });
        }
        if self.ns != Ns::Kms {
            return Err(KmsDocError::WrongNamespace {
                element: self.name.clone(),
            });
        }
        Ok(())
    }

    /// The unqualified attributes, checked against `allowed`; attributes of
    /// other namespaces are ignored.
    pub fn attrs(
        &self,
        element: &'static str,
        allowed: &[&'static str],
    ) -> Result<Attrs<'_>, KmsDocError> {
        for a in &self.attrs {
            if a.ns == Ns::None && !allowed.contains(&a.name.as_str()) {
                return Err(KmsDocError::UnexpectedAttribute {
                    element,
                    attribute: a.name.clone(),
                });
            }
        }
        Ok(Attrs {
            node: self,
            element,
        })
    }

    /// The child elements, in order, for the ordered-sequence parsers.
    /// Non-blank text in a container element is an error.
    pub fn children(&self, element: &'static str) -> Result<Children<'_>, KmsDocError> {
        if !self.text.trim().is_empty() {
            return Err(KmsDocError::UnexpectedText { element });
        }
        Ok(Children {
            nodes: &self.children,
            pos: 0,
            parent: element,
        })
    }

    /// The text of a leaf element (no child elements of the KMS namespace),
    /// trimmed.
    pub fn leaf_text(&self, field: &'static str) -> Result<&str, KmsDocError> {
        if let Some(c) = self.children.iter().find(|c| !matches!(c.ns, Ns::Other(_))) {
            return Err(KmsDocError::UnexpectedElement {
                parent: field,
                element: c.name.clone(),
            });
        }
        Ok(self.text.trim())
    }

    /// Whether a child element from another namespace is present (for key
    /// fields: an `xenc:EncryptedKey`).
    pub fn has_foreign_child(&self) -> Option<&str> {
        self.children
            .iter()
            .find(|c| matches!(c.ns, Ns::Other(_)))
            .map(|c| c.name.as_str())
    }
}

/// The unqualified attributes of an element.
pub(crate) struct Attrs<'a> {
    node: &'a Node,
    element: &'static str,
}

impl<'a> Attrs<'a> {
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.node
            .attrs
            .iter()
            .find(|a| a.ns == Ns::None && a.name == name)
            .map(|a| a.value.as_str())
    }

    pub fn required(&self, name: &'static str) -> Result<&'a str, KmsDocError> {
        self.get(name).ok_or(KmsDocError::MissingAttribute {
            element: self.element,
            attribute: name,
        })
    }

    pub fn bool(&self, name: &'static str) -> Result<Option<bool>, KmsDocError> {
        self.get(name).map(|v| parse_bool(name, v)).transpose()
    }
}

/// A cursor over the child elements of a sequence, in schema order.
pub(crate) struct Children<'a> {
    nodes: &'a [Node],
    pos: usize,
    parent: &'static str,
}

impl<'a> Children<'a> {
    /// Skips extension elements (other namespaces) and checks the next one is
    /// in the KMS namespace.
    fn peek(&mut self) -> Result<Option<&'a Node>, KmsDocError> {
        while let Some(n) = self.nodes.get(self.pos) {
            match &n.ns {
                Ns::Other(_) => self.pos += 1,
                Ns::None => {
                    return Err(KmsDocError::WrongNamespace {
                        element: n.name.clone(),
                    })
                }
                Ns::Kms => return Ok(Some(n)),
            }
        }
        Ok(None)
    }

    /// The next element if it is `name`.
    pub fn optional(&mut self, name: &'static str) -> Result<Option<&'a Node>, KmsDocError> {
        match self.peek()? {
            Some(n) if n.name == name => {
                self.pos += 1;
                Ok(Some(n))
            }
            _ => Ok(None),
        }
    }

    /// The next element, which must be `name`.
    pub fn required(&mut self, name: &'static str) -> Result<&'a Node, KmsDocError> {
        self.optional(name)?.ok_or(KmsDocError::MissingElement {
            parent: self.parent,
            element: name,
        })
    }

    /// All the next elements named `name`.
    pub fn many(&mut self, name: &'static str) -> Result<Vec<&'a Node>, KmsDocError> {
        let mut out = Vec::new();
        while let Some(n) = self.optional(name)? {
            out.push(n);
        }
        Ok(out)
    }

    /// Refuses the next element if it is one of the unsupported `names`.
    pub fn refuse(&mut self, names: &[&'static str]) -> Result<(), KmsDocError> {
        if let Some(n) = self.peek()? {
            if names.contains(&n.name.as_str()) {
                return Err(KmsDocError::Unsupported(n.name.clone()));
            }
        }
        Ok(())
    }

    /// The next KMS-namespace element, if any, without consuming it.
    pub fn next_name(&mut self) -> Result<Option<&'a str>, KmsDocError> {
        Ok(self.peek()?.map(|n| n.name.as_str()))
    }

    /// Checks that no KMS-namespace element is left.
    pub fn finish(mut self) -> Result<(), KmsDocError> {
        match self.peek()? {
            Some(n) => Err(KmsDocError::UnexpectedElement {
                parent: self.parent,
                element: n.name.clone(),
            }),
            None => Ok(()),
        }
    }

    // Typed leaves.

    pub fn string(&mut self, name: &'static str) -> Result<String, KmsDocError> {
        let s = self.required(name)?.leaf_text(name)?;
        if s.is_empty() {
            return Err(KmsDocError::EmptyField { field: name });
        }
        Ok(s.to_owned())
    }

    pub fn opt_string(&mut self, name: &'static str) -> Result<Option<String>, KmsDocError> {
        self.optional(name)?
            .map(|n| n.leaf_text(name).map(str::to_owned))
            .transpose()
    }

    pub fn uint(&mut self, name: &'static str) -> Result<u64, KmsDocError> {
        parse_uint(name, self.required(name)?.leaf_text(name)?)
    }

    pub fn opt_uint(&mut self, name: &'static str) -> Result<Option<u64>, KmsDocError> {
        self.optional(name)?
            .map(|n| parse_uint(name, n.leaf_text(name)?))
            .transpose()
    }

    pub fn datetime(&mut self, name: &'static str) -> Result<DateTime, KmsDocError> {
        parse_datetime(name, self.required(name)?.leaf_text(name)?)
    }

    pub fn opt_datetime(&mut self, name: &'static str) -> Result<Option<DateTime>, KmsDocError> {
        self.optional(name)?
            .map(|n| parse_datetime(name, n.leaf_text(name)?))
            .transpose()
    }

    pub fn opt_bool(&mut self, name: &'static str) -> Result<Option<bool>, KmsDocError> {
        self.optional(name)?
            .map(|n| parse_bool(name, n.leaf_text(name)?))
            .transpose()
    }

    /// A key field of `len` octets (plain KeyContentType; an EncryptedKey is
    /// refused).
    pub fn octets(
        &mut self,
        name: &'static str,
        len: usize,
    ) -> Result<Zeroizing<Vec<u8>>, KmsDocError> {
        let node = self.required(name)?;
        if let Some(child) = node.has_foreign_child() {
            return Err(KmsDocError::Unsupported(child.to_owned()));
        }
        decode_octets(name, node.leaf_text(name)?, len)
    }
}

pub(crate) fn parse_uint(field: &'static str, s: &str) -> Result<u64, KmsDocError> {
    let s = s.strip_prefix('+').unwrap_or(s);
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(KmsDocError::BadInteger { field });
    }
    s.parse().map_err(|_| KmsDocError::BadInteger { field })
}

pub(crate) fn parse_bool(field: &'static str, s: &str) -> Result<bool, KmsDocError> {
    match s.trim() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(KmsDocError::BadBoolean { field }),
    }
}

fn parse_datetime(field: &'static str, s: &str) -> Result<DateTime, KmsDocError> {
    DateTime::parse(s).ok_or(KmsDocError::BadDateTime { field })
}

/// Decodes an octet-string field (SPEC §8.4): hex (any case) when the value
/// is all hex digits of the expected length, otherwise base64; whitespace
/// inside the value is ignored. The decoded length must be `len` (E11).
pub(crate) fn decode_octets(
    field: &'static str,
    text: &str,
    len: usize,
) -> Result<Zeroizing<Vec<u8>>, KmsDocError> {
    let compact: Zeroizing<String> =
        Zeroizing::new(text.chars().filter(|c| !c.is_whitespace()).collect());
    let is_hex = !compact.is_empty()
        && compact.len().is_multiple_of(2)
        && compact.bytes().all(|b| b.is_ascii_hexdigit());
    let mut hex_len = None;
    if is_hex {
        let bytes = Zeroizing::new(hex_decode(&compact));
        if bytes.len() == len {
            return Ok(bytes);
        }
        hex_len = Some(bytes.len());
    }
    let b64 = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map(Zeroizing::new);
    match (b64, hex_len) {
        (Ok(bytes), _) if bytes.len() == len => Ok(bytes),
        (_, Some(got)) => Err(KmsDocError::FieldLength {
            field,
            len: got,
            expected: len,
        }),
        (Ok(bytes), None) => Err(KmsDocError::FieldLength {
            field,
            len: bytes.len(),
            expected: len,
        }),
        (Err(_), None) => Err(KmsDocError::BadEncoding { field }),
    }
}

fn hex_val(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b - b'A' + 10,
    }
}

/// Decodes hex already checked to be all hex digits of even length.
fn hex_decode(s: &str) -> Vec<u8> {
    s.as_bytes()
        .chunks_exact(2)
        .map(|p| (hex_val(p[0]) << 4) | hex_val(p[1]))
        .collect()
}

/// Upper-case hex (the form of the TS 33.180 examples).
pub(crate) fn hex_upper(bytes: &[u8]) -> Zeroizing<String> {
    const D: &[u8; 16] = b"0123456789ABCDEF";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(D[usize::from(b >> 4)]));
        s.push(char::from(D[usize::from(b & 15)]));
    }
    Zeroizing::new(s)
}

/// Appends `text` escaped so that a parser gives back exactly `text`: the
/// five markup characters as entities, and the characters a parser would
/// normalise (CR in text; TAB, LF and CR in attribute values) as character
/// references.
fn push_escaped(out: &mut String, text: &str, attribute: bool) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
}

/// Writes the documents: elements of the KMS namespace, declared as the
/// default namespace on the root.
pub(crate) struct Writer {
    out: Zeroizing<String>,
    root: bool,
}

impl Writer {
    pub fn new() -> Writer {
        Writer {
            out: Zeroizing::new(String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")),
            root: true,
        }
    }

    pub fn open(&mut self, name: &str, attrs: &[(&str, Option<&str>)]) {
        self.out.push('<');
        self.out.push_str(name);
        if self.root {
            self.out.push_str(" xmlns=\"");
            self.out.push_str(NAMESPACE);
            self.out.push('"');
            self.root = false;
        }
        for (k, v) in attrs {
            if let Some(v) = v {
                self.out.push(' ');
                self.out.push_str(k);
                self.out.push_str("=\"");
                push_escaped(&mut self.out, v, true);
                self.out.push('"');
            }
        }
        self.out.push('>');
    }

    pub fn close(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    pub fn leaf(&mut self, name: &str, text: &str) {
        self.open(name, &[]);
        push_escaped(&mut self.out, text, false);
        self.close(name);
    }

    pub fn opt_leaf(&mut self, name: &str, text: Option<&str>) {
        if let Some(t) = text {
            self.leaf(name, t);
        }
    }

    pub fn finish(self) -> Zeroizing<String> {
        self.out
    }
}
