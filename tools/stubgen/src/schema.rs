//! The core's schemas read into the few shapes the stubs need: string enums, objects with
//! documented fields, and unions of those.

use std::collections::BTreeMap;

use serde_json::Value;

/// A field's or an alias's type.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    Int,
    Num,
    Bool,
    Str,
    /// Bytes (`contentEncoding: binary`): each language's own bytes type.
    Bytes,
    Array(Box<Ty>),
    /// Another definition, by its schema name.
    Ref(String),
    Nullable(Box<Ty>),
    Union(Vec<Ty>),
}

impl Ty {
    fn inline(&mut self, aliases: &BTreeMap<String, Ty>) {
        match self {
            Ty::Ref(name) => {
                if let Some(ty) = aliases.get(name) {
                    *self = ty.clone();
                }
            }
            Ty::Array(inner) | Ty::Nullable(inner) => inner.inline(aliases),
            Ty::Union(types) => types.iter_mut().for_each(|t| t.inline(aliases)),
            Ty::Int | Ty::Num | Ty::Bool | Ty::Str | Ty::Bytes => {}
        }
    }
}

#[derive(Debug)]
pub struct Field {
    pub name: String,
    pub ty: Ty,
    pub doc: Option<String>,
}

#[derive(Debug)]
pub enum Def {
    /// String values, each with its doc.
    Enum(Vec<(String, Option<String>)>),
    /// Fields in the order the core declares them; `required` as the schema says.
    Object {
        fields: Vec<Field>,
        required: Vec<String>,
    },
    Alias(Ty),
}

#[derive(Debug)]
pub struct Named {
    pub def: Def,
    pub doc: Option<String>,
}

/// Every definition the stubs use, by schema name: `Options`, `Output`, `Rendered`, `Metadata`
/// and what they refer to.
pub struct Schemas {
    pub defs: BTreeMap<String, Named>,
}

impl Schemas {
    pub fn of_the_core() -> Self {
        let mut defs = BTreeMap::new();
        let options = thumbsmith::Options::default();
        let output = sample_output();
        let roots = [
            (schemars::schema_for!(thumbsmith::Options), keys(&options)),
            (
                schemars::schema_for!(thumbsmith::OutputInfo<'static>),
                keys(&output.info()),
            ),
            (schemars::schema_for!(thumbsmith::Rendered), None),
            (schemars::schema_for!(thumbsmith::Metadata), None),
        ];
        for (schema, order) in roots {
            let value = schema.to_value();
            let name = value["title"].as_str().expect("a root schema has a title");
            for (inner, def) in value["$defs"].as_object().into_iter().flatten() {
                defs.insert(inner.clone(), named(def, None));
            }
            defs.insert(name.to_string(), named(&value, order));
        }
        // An undocumented alias (`Bytes`) is written where it is used, not declared.
        let inline: BTreeMap<String, Ty> = defs
            .iter()
            .filter_map(|(name, named)| match (&named.def, &named.doc) {
                (Def::Alias(ty), None) => Some((name.clone(), ty.clone())),
                _ => None,
            })
            .collect();
        for named in defs.values_mut() {
            match &mut named.def {
                Def::Object { fields, .. } => {
                    for field in fields {
                        field.ty.inline(&inline);
                    }
                }
                Def::Alias(ty) => ty.inline(&inline),
                Def::Enum(_) => {}
            }
        }
        Schemas { defs }
    }

    pub fn get(&self, name: &str) -> &Named {
        self.defs
            .get(name)
            .unwrap_or_else(|| panic!("the core's schemas define no `{name}`"))
    }

    /// The definitions the fields of `declared` refer to by name that are not among them: each
    /// is a type name a stub would use and never define.
    pub fn undeclared(&self, declared: &[&str]) -> Vec<String> {
        fn walk(ty: &Ty, out: &mut Vec<String>) {
            match ty {
                Ty::Ref(name) => out.push(name.clone()),
                Ty::Array(inner) | Ty::Nullable(inner) => walk(inner, out),
                Ty::Union(types) => types.iter().for_each(|t| walk(t, out)),
                Ty::Int | Ty::Num | Ty::Bool | Ty::Str | Ty::Bytes => {}
            }
        }
        let mut out = Vec::new();
        for name in declared {
            match &self.get(name).def {
                Def::Object { fields, .. } => fields.iter().for_each(|f| walk(&f.ty, &mut out)),
                Def::Alias(ty) => walk(ty, &mut out),
                Def::Enum(_) => {}
            }
        }
        out.retain(|name| !declared.contains(&name.as_str()));
        out.sort();
        out.dedup();
        out
    }

    /// The fields of object `name`.
    pub fn fields(&self, name: &str) -> (&[Field], &[String]) {
        match &self.get(name).def {
            Def::Object { fields, required } => (fields, required),
            other => panic!("`{name}` is not an object: {other:?}"),
        }
    }
}

/// An `Output` whose only use is the order its fields serialise in.
fn sample_output() -> thumbsmith::Output {
    thumbsmith::Output {
        data: Vec::new(),
        format: thumbsmith::Format::Jpeg,
        width: 1,
        height: 1,
        channels: 3,
        has_alpha: false,
        source_format: thumbsmith::Format::Jpeg,
        source_width: 1,
        source_height: 1,
        orientation: 1,
        crop: thumbsmith::Rect {
            left: 0,
            top: 0,
            width: 1,
            height: 1,
        },
        thumbhash: None,
        dominant_color: None,
        content_hash: None,
    }
}

/// The keys of `value` in the order it serialises them (its declaration order; a JSON map would
/// sort them).
fn keys(value: &impl serde::Serialize) -> Option<Vec<String>> {
    use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
    struct Keys;
    impl<'de> Visitor<'de> for Keys {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<String>, A::Error> {
            let mut keys = Vec::new();
            while let Some(key) = map.next_key::<String>()? {
                map.next_value::<IgnoredAny>()?;
                keys.push(key);
            }
            Ok(keys)
        }
    }
    let text = serde_json::to_string(value).ok()?;
    serde_json::Deserializer::from_str(&text)
        .deserialize_map(Keys)
        .ok()
}

fn named(schema: &Value, order: Option<Vec<String>>) -> Named {
    Named {
        def: def(schema, order),
        doc: doc(schema),
    }
}

fn def(schema: &Value, order: Option<Vec<String>>) -> Def {
    if let Some(properties) = schema["properties"].as_object() {
        let required: Vec<String> = schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|name| name.as_str().map(String::from))
            .collect();
        // The declared order: a sample's, or the required fields (declared order) first.
        let mut names = order.unwrap_or_else(|| required.clone());
        names.retain(|name| properties.contains_key(name));
        names.extend(
            properties
                .keys()
                .filter(|name| !names.contains(name))
                .cloned()
                .collect::<Vec<_>>(),
        );
        let fields = names
            .into_iter()
            .map(|name| {
                let property = &properties[&name];
                Field {
                    ty: ty(property),
                    doc: doc(property),
                    name,
                }
            })
            .collect();
        return Def::Object { fields, required };
    }
    match literals(schema) {
        Some(values) => Def::Enum(values),
        None => Def::Alias(ty(schema)),
    }
}

/// The string values of an `enum` or a `oneOf` of `const`s.
fn literals(schema: &Value) -> Option<Vec<(String, Option<String>)>> {
    if let Some(values) = schema["enum"].as_array() {
        return values
            .iter()
            .map(|v| v.as_str().map(|s| (s.to_string(), None)))
            .collect();
    }
    let variants = schema["oneOf"].as_array()?;
    variants
        .iter()
        .map(|v| v["const"].as_str().map(|s| (s.to_string(), doc(v))))
        .collect()
}

fn ty(schema: &Value) -> Ty {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.trim_start_matches("#/$defs/");
        return Ty::Ref(name.to_string());
    }
    if let Some(options) = schema["anyOf"].as_array().or(schema["oneOf"].as_array()) {
        let (nulls, others): (Vec<&Value>, Vec<&Value>) =
            options.iter().partition(|o| o["type"] == "null");
        let inner = match &others[..] {
            [one] => ty(one),
            many => Ty::Union(many.iter().map(|o| ty(o)).collect()),
        };
        return if nulls.is_empty() {
            inner
        } else {
            Ty::Nullable(Box::new(inner))
        };
    }
    match &schema["type"] {
        Value::Array(types) => {
            let base: Vec<&Value> = types.iter().filter(|t| *t != "null").collect();
            let mut only = schema.clone();
            only["type"] = base[0].clone();
            let inner = ty(&only);
            if base.len() < types.len() {
                Ty::Nullable(Box::new(inner))
            } else {
                inner
            }
        }
        Value::String(kind) => match kind.as_str() {
            "integer" => Ty::Int,
            "number" => Ty::Num,
            "boolean" => Ty::Bool,
            "string" => Ty::Str,
            "array" if schema["contentEncoding"] == "binary" => Ty::Bytes,
            "array" => Ty::Array(Box::new(ty(&schema["items"]))),
            other => panic!("no stub type for schema type `{other}`: {schema}"),
        },
        _ => panic!("no stub type for schema {schema}"),
    }
}

/// The doc comment, rustdoc links reduced to their code spans.
fn doc(schema: &Value) -> Option<String> {
    let text = schema["description"].as_str()?;
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("[`") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        match after.find("`]") {
            Some(close) => {
                out.push_str(&after[..=close]);
                rest = &after[close + 2..];
                // Drop an explicit link target: `[`x`](crate::x)`.
                if rest.starts_with('(') {
                    if let Some(end) = rest.find(')') {
                        rest = &rest[end + 1..];
                    }
                }
            }
            None => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Some(out)
}
