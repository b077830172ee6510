//! `#[derive(FromJson, ToJson)]` for essnap's JSON layer (`essnap::json`).
//!
//! serde's derive emits a generic visitor per type that is compiled again for every
//! deserializer and serializer it meets; in the web package that was the largest part of the
//! wasm. These derives emit one plain function per type over one concrete reader or writer.
//! Attributes, `#[json(...)]`, take serde's names for the subset essnap uses:
//! container `rename_all`, `transparent`, `tag = "..."` and `untagged` (encode only),
//! `deny_unknown_fields`; field `rename`, `default`, `default = "path"`,
//! `skip_serializing_if = "path"`, `deserialize_with = "path"` (a `fn(&mut Reader) ->
//! Result<T, JsonError>`) and `flatten` (encode only).

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Ts;
use quote::{format_ident, quote};
use syn::{Data, DeriveInput, Fields, LitStr, Path, parse_macro_input};

#[proc_macro_derive(FromJson, attributes(json))]
pub fn derive_from_json(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    from_json(&input).unwrap_or_else(syn::Error::into_compile_error).into()
}

#[proc_macro_derive(ToJson, attributes(json))]
pub fn derive_to_json(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    to_json(&input).unwrap_or_else(syn::Error::into_compile_error).into()
}

#[derive(Default)]
struct Attrs {
    rename: Option<String>,
    rename_all: Option<String>,
    /// `Some(None)`: `Default::default()`; `Some(Some(path))`: `path()`.
    default: Option<Option<Path>>,
    skip_serializing_if: Option<Path>,
    deserialize_with: Option<Path>,
    flatten: bool,
    transparent: bool,
    untagged: bool,
    tag: Option<String>,
    deny_unknown_fields: bool,
}

fn attrs(list: &[syn::Attribute]) -> syn::Result<Attrs> {
    let mut a = Attrs::default();
    for attr in list.iter().filter(|a| a.path().is_ident("json")) {
        attr.parse_nested_meta(|m| {
            let name = m.path.get_ident().map(|i| i.to_string()).unwrap_or_default();
            match name.as_str() {
                "rename" => a.rename = Some(m.value()?.parse::<LitStr>()?.value()),
                "rename_all" => a.rename_all = Some(m.value()?.parse::<LitStr>()?.value()),
                "default" => {
                    a.default = Some(if m.input.peek(syn::Token![=]) { Some(m.value()?.parse::<LitStr>()?.parse()?) } else { None })
                }
                "skip_serializing_if" => a.skip_serializing_if = Some(m.value()?.parse::<LitStr>()?.parse()?),
                "deserialize_with" => a.deserialize_with = Some(m.value()?.parse::<LitStr>()?.parse()?),
                "flatten" => a.flatten = true,
                "transparent" => a.transparent = true,
                "untagged" => a.untagged = true,
                "tag" => a.tag = Some(m.value()?.parse::<LitStr>()?.value()),
                "deny_unknown_fields" => a.deny_unknown_fields = true,
                _ => return Err(m.error(format!("unknown json attribute `{name}`"))),
            }
            Ok(())
        })?;
    }
    Ok(a)
}

fn unraw(ident: &syn::Ident) -> String {
    let s = ident.to_string();
    s.strip_prefix("r#").map(str::to_string).unwrap_or(s)
}

/// serde's `rename_all` rules for a field name (snake_case in Rust).
fn rename_field(name: &str, rule: Option<&str>) -> String {
    match rule {
        None | Some("snake_case") | Some("lowercase") => name.to_string(),
        Some("UPPERCASE") | Some("SCREAMING_SNAKE_CASE") => name.to_ascii_uppercase(),
        Some("kebab-case") => name.replace('_', "-"),
        Some("camelCase") | Some("PascalCase") => {
            let mut out = String::new();
            let mut upper = rule == Some("PascalCase");
            for c in name.chars() {
                if c == '_' {
                    upper = true;
                } else if upper {
                    out.push(c.to_ascii_uppercase());
                    upper = false;
                } else {
                    out.push(c);
                }
            }
            out
        }
        Some(other) => panic!("unsupported rename_all rule `{other}`"),
    }
}

/// serde's `rename_all` rules for a variant name (PascalCase in Rust).
fn rename_variant(name: &str, rule: Option<&str>) -> String {
    let snake = |sep: char| {
        let mut out = String::new();
        for (i, c) in name.chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                out.push(sep);
            }
            out.push(c.to_ascii_lowercase());
        }
        out
    };
    match rule {
        None | Some("PascalCase") => name.to_string(),
        Some("lowercase") => name.to_ascii_lowercase(),
        Some("UPPERCASE") => name.to_ascii_uppercase(),
        Some("snake_case") => snake('_'),
        Some("SCREAMING_SNAKE_CASE") => snake('_').to_ascii_uppercase(),
        Some("kebab-case") => snake('-'),
        Some("camelCase") => {
            let mut c = name.chars();
            c.next().map(|f| f.to_ascii_lowercase().to_string() + c.as_str()).unwrap_or_default()
        }
        Some(other) => panic!("unsupported rename_all rule `{other}`"),
    }
}

fn err<T>(tokens: impl quote::ToTokens, msg: &str) -> syn::Result<T> {
    Err(syn::Error::new_spanned(tokens, msg))
}

// ---------------------------------------------------------------------------------------------
// FromJson

fn from_json(input: &DeriveInput) -> syn::Result<Ts> {
    let name = &input.ident;
    let (imp, ty, wh) = input.generics.split_for_impl();
    let ca = attrs(&input.attrs)?;
    let body = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(f) if ca.transparent => {
                let Some(one) = f.named.first().filter(|_| f.named.len() == 1) else { return err(name, "transparent needs one field") };
                let id = &one.ident;
                quote! { ::core::result::Result::Ok(#name { #id: ::essnap::json::FromJson::read_json(r)? }) }
            }
            Fields::Named(f) => read_fields(quote!(#name), f.named.iter(), &ca)?,
            Fields::Unnamed(f) if f.unnamed.len() == 1 => quote! { ::core::result::Result::Ok(#name(::essnap::json::FromJson::read_json(r)?)) },
            _ => return err(name, "FromJson: only structs with named fields or newtypes"),
        },
        Data::Enum(e) => {
            if ca.untagged || ca.tag.is_some() {
                return err(name, "FromJson: tagged and untagged enums are encode-only; write the decoder by hand");
            }
            let mut unit = Vec::new();
            let mut data = Vec::new();
            let mut names = Vec::new();
            for v in &e.variants {
                let va = attrs(&v.attrs)?;
                let vid = &v.ident;
                let key = va.rename.clone().unwrap_or_else(|| rename_variant(&vid.to_string(), ca.rename_all.as_deref()));
                names.push(format!("`{key}`"));
                match &v.fields {
                    Fields::Unit => {
                        unit.push(quote! { #key => ::core::result::Result::Ok(#name::#vid), });
                        data.push(quote! { #key => { r.null()?; #name::#vid } });
                    }
                    Fields::Unnamed(f) if f.unnamed.len() == 1 => {
                        data.push(quote! { #key => #name::#vid(::essnap::json::FromJson::read_json(r)?), });
                    }
                    Fields::Named(f) => {
                        let va_rule = Attrs { rename_all: va.rename_all.clone(), deny_unknown_fields: va.deny_unknown_fields, ..Attrs::default() };
                        let block = read_fields(quote!(#name::#vid), f.named.iter(), &va_rule)?;
                        data.push(quote! { #key => (|r: &mut ::essnap::json::Reader<'_>| -> ::core::result::Result<Self, ::essnap::json::JsonError> { #block })(r)?, });
                    }
                    _ => return err(v, "FromJson: tuple variants with several fields are not supported"),
                }
            }
            let expected = names.join(", ");
            quote! {
                if r.peek() == ::core::option::Option::Some(b'"') {
                    let s = r.str()?;
                    return match &*s {
                        #(#unit)*
                        other => ::core::result::Result::Err(r.error(::std::format!("unknown variant `{}`, expected one of {}", other, #expected))),
                    };
                }
                let mut out = ::core::option::Option::None;
                r.object_fields(&mut |r: &mut ::essnap::json::Reader<'_>, key: &str| {
                    if out.is_some() {
                        return ::core::result::Result::Err(r.error("expected an object with one key, the variant"));
                    }
                    out = ::core::option::Option::Some(match key {
                        #(#data)*
                        other => return ::core::result::Result::Err(r.error(::std::format!("unknown variant `{}`, expected one of {}", other, #expected))),
                    });
                    ::core::result::Result::Ok(())
                })?;
                out.ok_or_else(|| r.error(::std::format!("expected one of {}", #expected)))
            }
        }
        Data::Union(_) => return err(name, "FromJson: unions are not supported"),
    };
    Ok(quote! {
        impl #imp ::essnap::json::FromJson for #name #ty #wh {
            fn read_json(r: &mut ::essnap::json::Reader<'_>) -> ::core::result::Result<Self, ::essnap::json::JsonError> {
                #body
            }
        }
    })
}

/// Reads an object into `ctor { fields }`: one slot per field, one pass over the keys.
fn read_fields<'a>(ctor: Ts, fields: impl Iterator<Item = &'a syn::Field>, ca: &Attrs) -> syn::Result<Ts> {
    let fields: Vec<&syn::Field> = fields.collect();
    let mut slots = Vec::new();
    let mut arms = Vec::new();
    let mut inits = Vec::new();
    // Fields that may be missing (a default, or an `Option`): when every field may, the value
    // is built first and each key read into its field in place (smaller code: no slots).
    let mut starts = Vec::new();
    let mut in_place_arms = Vec::new();
    let mut all_optional = true;
    for (i, f) in fields.iter().enumerate() {
        let fa = attrs(&f.attrs)?;
        if fa.flatten {
            return err(f, "FromJson: flatten is encode-only");
        }
        let id = f.ident.as_ref().expect("named field");
        let ty = &f.ty;
        let key = fa.rename.clone().unwrap_or_else(|| rename_field(&unraw(id), ca.rename_all.as_deref()));
        let slot = format_ident!("__f{}", i);
        slots.push(quote! { let mut #slot: ::core::option::Option<#ty> = ::core::option::Option::None; });
        let read = match &fa.deserialize_with {
            Some(p) => quote! { #p(r)? },
            None => quote! { <#ty as ::essnap::json::FromJson>::read_json(r)? },
        };
        arms.push(quote! { #key => #slot = ::core::option::Option::Some(#read), });
        in_place_arms.push(quote! { #key => __v.#id = #read, });
        let missing = match (&fa.default, &fa.deserialize_with) {
            (Some(None), _) => quote! { ::core::default::Default::default() },
            (Some(Some(p)), _) => quote! { #p() },
            (None, Some(_)) => quote! { return ::core::result::Result::Err(r.error(::std::format!("missing field `{}`", #key))) },
            (None, None) => quote! { <#ty as ::essnap::json::FromJson>::missing(r, #key)? },
        };
        match (&fa.default, &fa.deserialize_with) {
            (Some(_), _) => starts.push(quote! { #id: #missing, }),
            (None, None) if is_option(ty) => starts.push(quote! { #id: ::core::option::Option::None, }),
            _ => all_optional = false,
        }
        inits.push(quote! { #id: match #slot { ::core::option::Option::Some(v) => v, ::core::option::Option::None => #missing }, });
    }
    let unknown = if ca.deny_unknown_fields {
        quote! { other => return ::core::result::Result::Err(r.error(::std::format!("unknown field `{}`", other))), }
    } else {
        quote! { _ => r.skip()?, }
    };
    let walk = |arms: &[Ts]| {
        quote! {
            r.object_fields(&mut |r: &mut ::essnap::json::Reader<'_>, key: &str| {
                match key {
                    #(#arms)*
                    #unknown
                }
                ::core::result::Result::Ok(())
            })?;
        }
    };
    if all_optional {
        let walk = walk(&in_place_arms);
        return Ok(quote! {
            let mut __v = #ctor { #(#starts)* };
            #walk
            ::core::result::Result::Ok(__v)
        });
    }
    let walk = walk(&arms);
    Ok(quote! {
        #(#slots)*
        #walk
        ::core::result::Result::Ok(#ctor { #(#inits)* })
    })
}

/// Whether a field's type is written `Option<...>` (missing means `None`, as serde does).
fn is_option(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none() && p.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

// ---------------------------------------------------------------------------------------------
// ToJson

/// Writes named fields (already bound to `access(ident)`) into an open object.
fn write_fields<'a>(fields: impl Iterator<Item = &'a syn::Field>, rule: Option<&str>, access: &dyn Fn(&syn::Ident) -> Ts) -> syn::Result<Ts> {
    let mut out = Vec::new();
    for f in fields {
        let fa = attrs(&f.attrs)?;
        let id = f.ident.as_ref().expect("named field");
        let v = access(id);
        if fa.flatten {
            out.push(quote! { ::essnap::json::ToJson::write_fields(#v, w); });
            continue;
        }
        let key = fa.rename.clone().unwrap_or_else(|| rename_field(&unraw(id), rule));
        let write = quote! { w.key(#key); ::essnap::json::ToJson::write_json(#v, w); };
        out.push(match &fa.skip_serializing_if {
            Some(p) => quote! { if !#p(#v) { #write } },
            None => write,
        });
    }
    Ok(quote! { #(#out)* })
}

fn to_json(input: &DeriveInput) -> syn::Result<Ts> {
    let name = &input.ident;
    let (imp, ty, wh) = input.generics.split_for_impl();
    let ca = attrs(&input.attrs)?;
    let rule = ca.rename_all.as_deref();
    // `json` writes the value; `fields` (when Some) writes it into an open object, for flatten.
    let (json, fields): (Ts, Option<Ts>) = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(f) if ca.transparent => {
                let id = &f.named.first().expect("one field").ident;
                (quote! { ::essnap::json::ToJson::write_json(&self.#id, w) }, None)
            }
            Fields::Named(f) => {
                let body = write_fields(f.named.iter(), rule, &|id| quote!(&self.#id))?;
                (quote! { w.begin_object(); Self::write_fields(self, w); w.end_object(); }, Some(body))
            }
            Fields::Unnamed(f) if f.unnamed.len() == 1 => (quote! { ::essnap::json::ToJson::write_json(&self.0, w) }, None),
            Fields::Unit => (quote! { w.null() }, None),
            _ => return err(name, "ToJson: tuple structs with several fields are not supported"),
        },
        Data::Enum(e) => {
            let mut json_arms = Vec::new();
            let mut field_arms = Vec::new();
            for v in &e.variants {
                let va = attrs(&v.attrs)?;
                let vid = &v.ident;
                let key = va.rename.clone().unwrap_or_else(|| rename_variant(&vid.to_string(), rule));
                match &v.fields {
                    Fields::Unit => {
                        json_arms.push(match (&ca.tag, ca.untagged) {
                            (Some(t), _) => quote! { #name::#vid => { w.begin_object(); w.key(#t); w.str(#key); w.end_object(); } },
                            (None, true) => quote! { #name::#vid => w.null(), },
                            (None, false) => quote! { #name::#vid => w.str(#key), },
                        });
                        if let Some(t) = &ca.tag {
                            field_arms.push(quote! { #name::#vid => { w.key(#t); w.str(#key); } });
                        }
                    }
                    Fields::Unnamed(f) if f.unnamed.len() == 1 => {
                        json_arms.push(match (&ca.tag, ca.untagged) {
                            (Some(t), _) => quote! { #name::#vid(x) => {
                                w.begin_object(); w.key(#t); w.str(#key); ::essnap::json::ToJson::write_fields(x, w); w.end_object();
                            } },
                            (None, true) => quote! { #name::#vid(x) => ::essnap::json::ToJson::write_json(x, w), },
                            (None, false) => quote! { #name::#vid(x) => {
                                w.begin_object(); w.key(#key); ::essnap::json::ToJson::write_json(x, w); w.end_object();
                            } },
                        });
                        if let Some(t) = &ca.tag {
                            field_arms.push(quote! { #name::#vid(x) => { w.key(#t); w.str(#key); ::essnap::json::ToJson::write_fields(x, w); } });
                        }
                    }
                    Fields::Named(f) => {
                        let ids: Vec<_> = f.named.iter().map(|f| f.ident.clone().expect("named")).collect();
                        let vrule = va.rename_all.as_deref();
                        let body = write_fields(f.named.iter(), vrule, &|id| quote!(#id))?;
                        json_arms.push(match (&ca.tag, ca.untagged) {
                            (Some(t), _) => quote! { #name::#vid { #(#ids),* } => { w.begin_object(); w.key(#t); w.str(#key); #body w.end_object(); } },
                            (None, true) => quote! { #name::#vid { #(#ids),* } => { w.begin_object(); #body w.end_object(); } },
                            (None, false) => quote! { #name::#vid { #(#ids),* } => {
                                w.begin_object(); w.key(#key); w.begin_object(); #body w.end_object(); w.end_object();
                            } },
                        });
                        if let Some(t) = &ca.tag {
                            field_arms.push(quote! { #name::#vid { #(#ids),* } => { w.key(#t); w.str(#key); #body } });
                        }
                    }
                    _ => return err(v, "ToJson: tuple variants with several fields are not supported"),
                }
            }
            let json = quote! { match self { #(#json_arms)* } };
            let fields = ca.tag.as_ref().map(|_| quote! { match self { #(#field_arms)* } });
            (json, fields)
        }
        Data::Union(_) => return err(name, "ToJson: unions are not supported"),
    };
    let fields = fields.map(|body| quote! {
        #[allow(unused_variables)]
        fn write_fields(&self, w: &mut ::essnap::json::Writer) { #body }
    });
    Ok(quote! {
        impl #imp ::essnap::json::ToJson for #name #ty #wh {
            fn write_json(&self, w: &mut ::essnap::json::Writer) { #json }
            #fields
        }
    })
}
