//! The generated part of each `index.d.ts`: the core's options and results, camelCase.

use heck::ToLowerCamelCase;

use crate::schema::{Def, Schemas, Ty};

/// How one package spells the declarations.
pub struct Flavour {
    /// `export ` for an ES module's top level, nothing inside a `declare namespace`.
    export: &'static str,
    /// `;` or nothing, as the rest of the file.
    semicolon: &'static str,
    /// Schema names declared under another name in this package.
    renames: &'static [(&'static str, &'static str)],
    /// What bytes arrive as.
    bytes: &'static str,
    /// The definitions to declare, in order.
    defs: &'static [&'static str],
}

/// The result types: every field is always there (`null` when not asked for).
const OUTPUTS: [&str; 3] = ["Output", "Rendered", "Metadata"];

pub const NODE: Flavour = Flavour {
    export: "",
    semicolon: "",
    renames: &[
        ("Format", "ImageFormat"),
        ("Rect", "Region"),
        ("Color", "Colour"),
        ("Output", "Info"),
    ],
    // `info` is the core's JSON: the ThumbHash is an array of numbers.
    bytes: "number[]",
    defs: &[
        "Format",
        "Fit",
        "Gravity",
        "Strategy",
        "Kernel",
        "OutputFormat",
        "ChromaSubsampling",
        "WebpPreset",
        "RawInput",
        "ColorModel",
        "Rect",
        "FocalPoint",
        "Rgba",
        "Color",
        "Position",
        "Options",
        "Output",
        "Metadata",
    ],
};

pub const WASM: Flavour = Flavour {
    export: "export ",
    semicolon: ";",
    renames: &[
        ("Format", "ImageFormat"),
        ("Output", "ProcessInfo"),
        ("Rendered", "RenderInfo"),
    ],
    // The binding hands the ThumbHash over as a Uint8Array.
    bytes: "Uint8Array<ArrayBuffer>",
    defs: &[
        "Format",
        "Fit",
        "Gravity",
        "Strategy",
        "Kernel",
        "OutputFormat",
        "ChromaSubsampling",
        "WebpPreset",
        "RawInput",
        "ColorModel",
        "Rect",
        "FocalPoint",
        "Rgba",
        "Color",
        "Position",
        "Options",
        "Output",
        "Rendered",
        "Metadata",
    ],
};

pub fn render(schemas: &Schemas, flavour: &Flavour, indent: &str) -> String {
    let field_names = field_names(schemas);
    let mut out = String::new();
    for (index, &name) in flavour.defs.iter().enumerate() {
        if index > 0 {
            out.push('\n');
        }
        let named = schemas.get(name);
        let ts_name = flavour.name(name);
        let mut doc = named.doc.clone().unwrap_or_default();
        match &named.def {
            Def::Enum(values) => {
                for (value, value_doc) in values {
                    if let Some(value_doc) = value_doc {
                        doc.push_str(&format!("\n- `{value}`: {value_doc}"));
                    }
                }
                push_doc(&mut out, indent, &camel_doc(&doc, &field_names));
                let union: Vec<String> = values.iter().map(|(v, _)| format!("'{v}'")).collect();
                out.push_str(&format!(
                    "{indent}{}type {ts_name} = {}{}\n",
                    flavour.export,
                    union.join(" | "),
                    flavour.semicolon
                ));
            }
            Def::Alias(ty) => {
                push_doc(&mut out, indent, &camel_doc(&doc, &field_names));
                out.push_str(&format!(
                    "{indent}{}type {ts_name} = {}{}\n",
                    flavour.export,
                    flavour.ty(ty),
                    flavour.semicolon
                ));
            }
            Def::Object { fields, required } => {
                push_doc(&mut out, indent, &camel_doc(&doc, &field_names));
                out.push_str(&format!(
                    "{indent}{}interface {ts_name} {{\n",
                    flavour.export
                ));
                let member_indent = format!("{indent}  ");
                for field in fields {
                    if let Some(field_doc) = &field.doc {
                        push_doc(
                            &mut out,
                            &member_indent,
                            &camel_doc(field_doc, &field_names),
                        );
                    }
                    let optional = !OUTPUTS.contains(&name) && !required.contains(&field.name);
                    out.push_str(&format!(
                        "{member_indent}{}{}: {}{}\n",
                        field.name.to_lower_camel_case(),
                        if optional { "?" } else { "" },
                        flavour.ty(&field.ty),
                        flavour.semicolon
                    ));
                }
                out.push_str(&format!("{indent}}}\n"));
            }
        }
    }
    out
}

impl Flavour {
    fn name<'a>(&self, schema_name: &'a str) -> &'a str {
        self.renames
            .iter()
            .find(|(from, _)| *from == schema_name)
            .map_or(schema_name, |(_, to)| to)
    }

    fn ty(&self, ty: &Ty) -> String {
        match ty {
            Ty::Int | Ty::Num => "number".into(),
            Ty::Bool => "boolean".into(),
            Ty::Str => "string".into(),
            Ty::Bytes => self.bytes.into(),
            Ty::Array(item) => match **item {
                Ty::Nullable(_) | Ty::Union(_) => format!("({})[]", self.ty(item)),
                _ => format!("{}[]", self.ty(item)),
            },
            Ty::Ref(name) => self.name(name).into(),
            Ty::Nullable(inner) => format!("{} | null", self.ty(inner)),
            Ty::Union(types) => types
                .iter()
                .map(|t| self.ty(t))
                .collect::<Vec<_>>()
                .join(" | "),
        }
    }
}

/// Every field name of the options and results: how the docs name them.
fn field_names(schemas: &Schemas) -> Vec<String> {
    let mut names = Vec::new();
    for named in schemas.defs.values() {
        if let Def::Object { fields, .. } = &named.def {
            names.extend(fields.iter().map(|f| f.name.clone()));
        }
    }
    names
}

/// The docs name fields as the core does (`` `keep_icc` ``); JS callers spell them `keepIcc`.
fn camel_doc(doc: &str, field_names: &[String]) -> String {
    let mut out = doc.to_string();
    for name in field_names.iter().filter(|n| n.contains('_')) {
        out = out.replace(
            &format!("`{name}`"),
            &format!("`{}`", name.to_lower_camel_case()),
        );
    }
    out
}

fn push_doc(out: &mut String, indent: &str, doc: &str) {
    if doc.is_empty() {
        return;
    }
    let doc = doc.replace("*/", "*\\/");
    let lines: Vec<&str> = doc.lines().collect();
    if let [line] = &lines[..] {
        out.push_str(&format!("{indent}/** {line} */\n"));
        return;
    }
    out.push_str(&format!("{indent}/**\n"));
    for line in lines {
        if line.is_empty() {
            out.push_str(&format!("{indent} *\n"));
        } else {
            out.push_str(&format!("{indent} * {line}\n"));
        }
    }
    out.push_str(&format!("{indent} */\n"));
}

/// The types the declarations name but neither flavour declares (a new option type must join
/// `defs`); `make generate` and `--check` refuse to write stubs that name them.
pub fn undeclared(schemas: &Schemas) -> Vec<String> {
    let mut names = schemas.undeclared(NODE.defs);
    names.extend(schemas.undeclared(WASM.defs));
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_type_is_declared() {
        assert_eq!(undeclared(&Schemas::of_the_core()), Vec::<String>::new());
    }
}
