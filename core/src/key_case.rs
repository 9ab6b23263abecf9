//! The key spellings the bindings use: snake_case in (`Options::from_value` accepts camelCase
//! too) and lowerCamelCase out (`camel_case_keys`).
//!
//! Written here instead of taking `heck` (now only the tests' reference): every key is one of our
//! ASCII field names, and heck's Unicode case-conversion tables were the largest single item the
//! browser package could drop (docs/decisions.md, 2026-12-07). The word boundaries are heck 0.5's,
//! on ASCII; the property tests below compare both on every printable ASCII string. A non-ASCII character is kept as it is
//! (such a key is never an option name, so it is refused as unknown by its original spelling).

/// The words of `key`: split at every character that is not a letter or digit, before an
/// uppercase letter that follows a lowercase one (digits take the case of what precedes them),
/// and before the last capital of a run followed by a lowercase letter (`ICCProfile` → `ICC`,
/// `Profile`).
fn words(key: &str) -> impl Iterator<Item = &str> {
    key.split(|c: char| c.is_ascii() && !c.is_ascii_alphanumeric())
        .flat_map(split_by_case)
        .filter(|word| !word.is_empty())
}

#[derive(Clone, Copy, PartialEq)]
enum Case {
    Boundary,
    Lower,
    Upper,
}

fn split_by_case(part: &str) -> Vec<&str> {
    let bytes = part.as_bytes();
    let mut words = Vec::new();
    let (mut start, mut mode) = (0, Case::Boundary);
    for i in 0..bytes.len() {
        let (c, Some(&next)) = (bytes[i], bytes.get(i + 1)) else {
            break;
        };
        let next_mode = if c.is_ascii_lowercase() {
            Case::Lower
        } else if c.is_ascii_uppercase() {
            Case::Upper
        } else {
            mode
        };
        if next_mode == Case::Lower && next.is_ascii_uppercase() {
            words.push(&part[start..=i]);
            (start, mode) = (i + 1, Case::Boundary);
        } else if mode == Case::Upper && c.is_ascii_uppercase() && next.is_ascii_lowercase() {
            words.push(&part[start..i]);
            (start, mode) = (i, Case::Boundary);
        } else {
            mode = next_mode;
        }
    }
    words.push(&part[start..]);
    words
}

/// `maxInputPixels`, `max-input-pixels` → `max_input_pixels`.
pub(crate) fn snake_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 4);
    for (n, word) in words(key).enumerate() {
        if n > 0 {
            out.push('_');
        }
        out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
    }
    out
}

/// `max_input_pixels` → `maxInputPixels`.
pub(crate) fn lower_camel_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for (n, word) in words(key).enumerate() {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(if n == 0 {
                first.to_ascii_lowercase()
            } else {
                first.to_ascii_uppercase()
            });
        }
        out.extend(chars.map(|c| c.to_ascii_lowercase()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{lower_camel_case, snake_case};
    use heck::{ToLowerCamelCase, ToSnakeCase};
    use proptest::prelude::*;

    #[test]
    fn spells_the_option_names_both_ways() {
        for (snake, camel) in [
            ("max_input_pixels", "maxInputPixels"),
            ("keep_icc", "keepIcc"),
            ("chroma_subsampling", "chromaSubsampling"),
            ("width", "width"),
        ] {
            assert_eq!(snake_case(camel), snake);
            assert_eq!(lower_camel_case(snake), camel);
            assert_eq!(snake_case(snake), snake);
        }
        assert_eq!(snake_case("ICCProfile"), "icc_profile");
        assert_eq!(snake_case("max-width"), "max_width");
        assert_eq!(snake_case("a1B"), "a1_b");
    }

    proptest! {
        // heck 0.5 is the reference on every ASCII key made of letters, digits and separators.
        #[test]
        fn agrees_with_heck_on_ascii(key in "[a-zA-Z0-9_ .-]{0,16}") {
            prop_assert_eq!(snake_case(&key), key.to_snake_case());
            prop_assert_eq!(lower_camel_case(&key), key.to_lower_camel_case());
        }

        #[test]
        fn agrees_with_heck_on_any_ascii(key in "[ -~]{0,12}") {
            prop_assert_eq!(snake_case(&key), key.to_snake_case());
            prop_assert_eq!(lower_camel_case(&key), key.to_lower_camel_case());
        }
    }
}
