//! Item text templates such as `{name} | {category} | {tags} | {description}`.
//!
//! A placeholder names a catalog field (`id`, `name`, `name_alt`, `category`, `tags`,
//! `description`, `price`, `stock`, `purchase_limit`, `released_at`, `expires_at`, `vertical`)
//! or an attribute column. `name_en` is accepted for `name` and `name_ko` for `name_alt`. When a
//! placeholder is empty for an item, it is left out together with the separator before it, so
//! an item without a category reads `Serena | descendant | …`, not `Serena |  | …`. Write `{{`
//! and `}}` for literal braces.

use super::EmbedError;
use crate::catalog::{AttrKind, Item};
use std::collections::BTreeMap;

pub const DEFAULT_TEMPLATE: &str = "{name} | {category} | {tags} | {description}";

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Literal(String),
    Field(String),
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    source: String,
    parts: Vec<Part>,
}

const FIELDS: [&str; 12] = [
    "id",
    "name",
    "name_alt",
    "category",
    "tags",
    "description",
    "price",
    "stock",
    "purchase_limit",
    "released_at",
    "expires_at",
    "vertical",
];

impl Template {
    /// Parses `source`; placeholders must be catalog fields or attributes in `attributes`.
    pub fn parse(source: &str, attributes: &BTreeMap<String, AttrKind>) -> Result<Self, EmbedError> {
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut chars = source.char_indices().peekable();
        while let Some((pos, c)) = chars.next() {
            match c {
                '{' if chars.peek().map(|(_, c)| *c) == Some('{') => {
                    chars.next();
                    lit.push('{');
                }
                '}' if chars.peek().map(|(_, c)| *c) == Some('}') => {
                    chars.next();
                    lit.push('}');
                }
                '{' => {
                    let mut name = String::new();
                    let mut closed = false;
                    for (_, c) in chars.by_ref() {
                        if c == '}' {
                            closed = true;
                            break;
                        }
                        name.push(c);
                    }
                    if !closed {
                        return Err(EmbedError::Template(format!("'{{' at position {pos} is never closed")));
                    }
                    let name = match name.trim() {
                        "name_en" => "name".to_string(),
                        "name_ko" | "name_kr" => "name_alt".to_string(),
                        other => other.to_string(),
                    };
                    if !FIELDS.contains(&name.as_str()) && !attributes.contains_key(&name) {
                        let mut known: Vec<&str> = FIELDS.to_vec();
                        known.extend(attributes.keys().map(String::as_str));
                        return Err(EmbedError::Template(format!(
                            "unknown field {{{name}}} at position {pos}; fields are {}",
                            known.join(", ")
                        )));
                    }
                    if !lit.is_empty() {
                        parts.push(Part::Literal(std::mem::take(&mut lit)));
                    }
                    parts.push(Part::Field(name));
                }
                '}' => {
                    return Err(EmbedError::Template(format!(
                        "'}}' at position {pos} has no matching '{{' (write '}}}}' for a brace)"
                    )));
                }
                c => lit.push(c),
            }
        }
        if !lit.is_empty() {
            parts.push(Part::Literal(lit));
        }
        if !parts.iter().any(|p| matches!(p, Part::Field(_))) {
            return Err(EmbedError::Template(
                "the template names no field, so every item would get the same text".into(),
            ));
        }
        Ok(Self { source: source.to_string(), parts })
    }

    pub fn default_template() -> Self {
        Self::parse(DEFAULT_TEMPLATE, &BTreeMap::new()).expect("the default template is valid")
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// The text of `item` under this template.
    pub fn render(&self, item: &Item) -> String {
        let mut prefix = String::new();
        let mut out = String::new();
        let mut pending_sep: Option<&str> = None;
        let mut any = false;
        for part in &self.parts {
            match part {
                Part::Literal(s) => {
                    if any {
                        pending_sep = Some(s);
                    } else {
                        prefix.push_str(s);
                    }
                }
                Part::Field(name) => {
                    let value = field_text(item, name);
                    let value = value.trim();
                    if value.is_empty() {
                        continue;
                    }
                    if any {
                        out.push_str(pending_sep.unwrap_or(""));
                    }
                    pending_sep = None;
                    out.push_str(value);
                    any = true;
                }
            }
        }
        // A literal after the last field (a suffix) is kept.
        if let Some(Part::Literal(s)) = self.parts.last()
            && any
        {
            out.push_str(s);
        }
        if any { format!("{prefix}{out}") } else { String::new() }
    }
}

fn field_text(item: &Item, name: &str) -> String {
    let num = |x: Option<f64>| x.map(|v| v.to_string()).unwrap_or_default();
    let int = |x: Option<i64>| x.map(|v| v.to_string()).unwrap_or_default();
    let time = |x: Option<i64>| x.map(|t| crate::util::format_time(t)[..10].to_string()).unwrap_or_default();
    match name {
        "id" => item.id.clone(),
        "name" => item.name.clone(),
        "name_alt" => item.name_alt.clone().unwrap_or_default(),
        "category" => item.category.clone().unwrap_or_default(),
        "tags" => item.tags.join(", "),
        "description" => item.description.clone().unwrap_or_default(),
        "price" => num(item.price),
        "stock" => int(item.stock),
        "purchase_limit" => int(item.purchase_limit),
        "released_at" => time(item.released_at),
        "expires_at" => time(item.expires_at),
        "vertical" => item.vertical.clone().unwrap_or_default(),
        attr => match item.attrs.get(attr) {
            Some(crate::catalog::AttrValue::Text(s)) => s.replace('|', ", "),
            Some(v) => v.display(AttrKind::Text),
            None => String::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serena() -> Item {
        Item {
            id: "1001".into(),
            name: "Serena".into(),
            name_alt: Some("세레나".into()),
            category: Some("Descendant".into()),
            tags: vec!["serena".into(), "launch".into()],
            description: Some("A new Descendant.".into()),
            ..Default::default()
        }
    }

    #[test]
    fn renders_fields_and_skips_empty_ones_with_their_separator() {
        let t = Template::default_template();
        assert_eq!(t.render(&serena()), "Serena | Descendant | serena, launch | A new Descendant.");
        let mut bare = serena();
        bare.category = None;
        bare.description = None;
        assert_eq!(t.render(&bare), "Serena | serena, launch");
        let t = Template::parse("Item: {name_en} ({name_ko}).", &BTreeMap::new()).unwrap();
        assert_eq!(t.render(&serena()), "Item: Serena (세레나).");
    }

    #[test]
    fn attributes_and_errors() {
        let mut attrs = BTreeMap::new();
        attrs.insert("rarity".to_string(), AttrKind::Text);
        let t = Template::parse("{name} {{{rarity}}}", &attrs).unwrap();
        let mut item = serena();
        item.attrs.insert("rarity".into(), crate::catalog::AttrValue::Text("Ultimate".into()));
        assert_eq!(t.render(&item), "Serena {Ultimate}");
        let err = Template::parse("{name} | {catgory}", &attrs).unwrap_err().to_string();
        assert!(err.contains("unknown field {catgory} at position 9") && err.contains("rarity"), "{err}");
        assert!(Template::parse("{name", &attrs).is_err());
        assert!(Template::parse("just text", &attrs).is_err());
    }
}
