//! Whether the AVX2 copies run (thumbsmith patch): detected once per process, lowered by the
//! environment variable `THUMBSMITH_CPU` that thumbsmith and its JPEG decoder read too.
//!
//! | value | copy |
//! |---|---|
//! | unset, empty, `native` or `avx2` | AVX2 where the CPU has it |
//! | `portable` | the portable code |
//!
//! Any other value panics at the first encode, naming the variable: a test run that believes it
//! forced the portable code must not silently test the other one. Every copy writes the same
//! bytes (the `simd` feature's FDCT aside, see `Cargo.toml`). Without `std` nothing can be
//! detected and the portable code runs; under Miri too.

use std::sync::OnceLock;

/// The environment variable read once, at the first encode.
pub const OVERRIDE_VARIABLE: &str = "THUMBSMITH_CPU";

/// Whether the variable's value allows the AVX2 copies (`Some(false)` for `portable`), or
/// `None` for a value that is none of `native`, `avx2`, `portable` or empty (ASCII case
/// ignored, surrounding blanks trimmed).
fn allows_avx2(value: Option<&str>) -> Option<bool> {
    let value = value.unwrap_or("").trim().to_ascii_lowercase();
    match value.as_str() {
        "" | "native" | "avx2" => Some(true),
        "portable" => Some(false),
        _ => None,
    }
}

/// Whether the CPU has AVX2, whatever the variable says.
pub(crate) fn has_avx2() -> bool {
    !cfg!(miri) && std::is_x86_feature_detected!("avx2")
}

/// Whether the AVX2 copies run: the CPU has AVX2 and the variable allows them.
///
/// # Panics
/// When the variable holds a value other than `native`, `avx2`, `portable` or empty.
pub(crate) fn avx2() -> bool {
    static AVX2: OnceLock<bool> = OnceLock::new();
    *AVX2.get_or_init(|| {
        let value = std::env::var(OVERRIDE_VARIABLE).ok();
        let allowed = allows_avx2(value.as_deref()).unwrap_or_else(|| {
            panic!(
                "{OVERRIDE_VARIABLE}={:?}: expected `native`, `avx2` or `portable`",
                value.unwrap_or_default()
            )
        });
        allowed && has_avx2()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_documented_values_are_taken() {
        assert_eq!(allows_avx2(None), Some(true));
        for (value, allowed) in [
            ("", true),
            ("native", true),
            ("AVX2", true),
            (" portable\n", false),
        ] {
            assert_eq!(allows_avx2(Some(value)), Some(allowed), "{value:?}");
        }
        for typo in ["portible", "avx512", "none"] {
            assert_eq!(allows_avx2(Some(typo)), None, "{typo:?}");
        }
    }

    /// The process-wide choice honours the variable (thumbsmith's CI runs its suite once with
    /// `THUMBSMITH_CPU=portable`).
    #[test]
    fn the_choice_follows_the_environment() {
        let value = std::env::var(OVERRIDE_VARIABLE).ok();
        let allowed = allows_avx2(value.as_deref()).expect("a documented value");
        assert_eq!(avx2(), allowed && has_avx2());
    }
}
