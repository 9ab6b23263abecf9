//! CPU-feature dispatch: which compiled copy of the decoder runs, detected once per process.
//!
//! The decoder is integer code compiled twice on x86-64: portable, and for AVX2 (with BMI1,
//! BMI2, LZCNT and POPCNT, which every AVX2 CPU but a few low-end ones has), where the IDCT's
//! eight-lane arithmetic becomes vector instructions and the bit reader's shifts and the
//! entropy decoder's bit-set walks single instructions. Integer results do not depend on the
//! instructions, so every copy gives the same bytes.
//!
//! The environment variable [`OVERRIDE_VARIABLE`] (`THUMBSMITH_CPU`), read once, lowers the
//! choice so that tests and benchmarks can run each copy on one machine:
//!
//! | value | copy |
//! |---|---|
//! | unset, empty or `native` | what the CPU has |
//! | `avx2` | at most AVX2 without `pdep` ([`Cpu::Avx2`]) |
//! | `portable` | the portable code |
//!
//! Any other value is a mistake (a test run that believes it forced a copy and did not), so
//! [`Cpu::get`] panics naming the variable and its values. thumbsmith and its JPEG encoder read
//! the same variable with the same values, so one setting switches every kernel of a job.

use std::sync::OnceLock;

/// The environment variable read once, at the first decode.
pub const OVERRIDE_VARIABLE: &str = "THUMBSMITH_CPU";

/// The copy of the decoder this CPU runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cpu {
    /// The portable code (every target, and x86-64 without AVX2 or when forced).
    Portable,
    /// x86-64 with AVX2, BMI1, BMI2, LZCNT and POPCNT.
    Avx2,
    /// [`Cpu::Avx2`] where BMI2's `pdep` is also one fast instruction (Intel since Haswell, AMD
    /// since Zen 3; Zen 1/2 and Hygon microcode it), which progressive refinement scans use.
    Avx2FastPdep,
}

/// What [`OVERRIDE_VARIABLE`] asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Override {
    /// Unset, empty or `native`: what the CPU has.
    Native,
    /// `avx2`: at most AVX2 without `pdep` (on other targets: what the CPU has).
    Avx2,
    /// `portable`: the portable code everywhere, SIMD libraries included.
    Portable,
}

impl Override {
    /// The variable's value parsed (ASCII case ignored, surrounding blanks trimmed); `None` for
    /// a value that is none of `native`, `avx2`, `portable` or empty.
    pub fn parse(value: Option<&str>) -> Option<Override> {
        let value = value.unwrap_or("").trim().to_ascii_lowercase();
        match value.as_str() {
            "" | "native" => Some(Override::Native),
            "avx2" => Some(Override::Avx2),
            "portable" => Some(Override::Portable),
            _ => None,
        }
    }

    /// The override of this process, read from the environment at the first call.
    ///
    /// # Panics
    /// When [`OVERRIDE_VARIABLE`] holds a value [`Override::parse`] does not take.
    pub fn get() -> Override {
        static FORCED: OnceLock<Override> = OnceLock::new();
        *FORCED.get_or_init(|| {
            let value = std::env::var(OVERRIDE_VARIABLE).ok();
            Override::parse(value.as_deref()).unwrap_or_else(|| {
                panic!(
                    "{OVERRIDE_VARIABLE}={:?}: expected `native`, `avx2` or `portable`",
                    value.unwrap_or_default()
                )
            })
        })
    }
}

impl Cpu {
    /// The copy to run: detected at the first call, [`Override::get`] applied.
    ///
    /// # Panics
    /// When [`OVERRIDE_VARIABLE`] holds an unknown value (see [`Override::get`]).
    pub fn get() -> Cpu {
        static CPU: OnceLock<Cpu> = OnceLock::new();
        *CPU.get_or_init(|| Cpu::detect().capped(Override::get()))
    }

    /// What the CPU has, without the override. Miri, which cannot run the vector and `cpuid`
    /// instructions, always gets the portable code.
    pub fn detect() -> Cpu {
        #[cfg(all(target_arch = "x86_64", not(miri)))]
        {
            let avx2 = std::is_x86_feature_detected!("avx2")
                && std::is_x86_feature_detected!("bmi1")
                && std::is_x86_feature_detected!("bmi2")
                && std::is_x86_feature_detected!("lzcnt")
                && std::is_x86_feature_detected!("popcnt");
            match avx2 {
                true if pdep_is_fast() => Cpu::Avx2FastPdep,
                true => Cpu::Avx2,
                false => Cpu::Portable,
            }
        }
        #[cfg(not(all(target_arch = "x86_64", not(miri))))]
        Cpu::Portable
    }

    /// `self` limited by an override: it only ever lowers the level.
    pub fn capped(self, forced: Override) -> Cpu {
        match (forced, self) {
            (Override::Portable, _) => Cpu::Portable,
            (Override::Avx2, Cpu::Avx2FastPdep) => Cpu::Avx2,
            _ => self,
        }
    }
}

/// Whether BMI2's `pdep` is one fast instruction here, not microcode (AMD before family 19h,
/// Hygon).
#[cfg(all(target_arch = "x86_64", not(miri)))]
fn pdep_is_fast() -> bool {
    use std::arch::x86_64::__cpuid;
    let (vendor, signature) = (__cpuid(0), __cpuid(1));
    let name = [vendor.ebx, vendor.edx, vendor.ecx]
        .map(u32::to_le_bytes)
        .concat();
    let base = (signature.eax >> 8) & 0xF;
    let family = match base {
        0xF => base + ((signature.eax >> 20) & 0xFF),
        _ => base,
    };
    let microcoded = matches!(&name[..], b"AuthenticAMD" | b"HygonGenuine") && family < 0x19;
    std::is_x86_feature_detected!("bmi2") && !microcoded
}

#[cfg(test)]
mod tests {
    use super::{Cpu, Override};

    #[test]
    fn the_override_only_lowers_the_level() {
        for detected in [Cpu::Portable, Cpu::Avx2, Cpu::Avx2FastPdep] {
            assert_eq!(detected.capped(Override::Portable), Cpu::Portable);
            assert_eq!(detected.capped(Override::Native), detected);
        }
        assert_eq!(Cpu::Avx2FastPdep.capped(Override::Avx2), Cpu::Avx2);
        assert_eq!(Cpu::Avx2.capped(Override::Avx2), Cpu::Avx2);
        assert_eq!(Cpu::Portable.capped(Override::Avx2), Cpu::Portable);
    }

    #[test]
    fn only_the_documented_values_are_taken() {
        let parse = |value| Override::parse(Some(value));
        assert_eq!(Override::parse(None), Some(Override::Native));
        for (value, forced) in [
            ("", Override::Native),
            ("native", Override::Native),
            (" Native\n", Override::Native),
            ("avx2", Override::Avx2),
            ("AVX2", Override::Avx2),
            ("portable", Override::Portable),
        ] {
            assert_eq!(parse(value), Some(forced), "{value:?}");
        }
        for typo in ["portible", "avx512", "sse4.1", "none", "avx2,portable"] {
            assert_eq!(parse(typo), None, "{typo:?}");
        }
    }

    /// The process-wide choice honours the variable (CI runs the suite once with it set).
    #[test]
    fn the_choice_follows_the_environment() {
        let forced = std::env::var(super::OVERRIDE_VARIABLE).ok();
        let forced = Override::parse(forced.as_deref()).unwrap();
        assert_eq!(Override::get(), forced);
        assert_eq!(Cpu::get(), Cpu::detect().capped(forced));
        if forced == Override::Portable {
            assert_eq!(Cpu::get(), Cpu::Portable);
        }
    }
}
