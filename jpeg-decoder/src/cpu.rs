//! CPU-feature dispatch: which compiled copy of the decoder runs, detected once per process.
//!
//! The decoder is integer code compiled twice on x86-64: portable, and for AVX2 (with BMI1,
//! BMI2, LZCNT and POPCNT, which every AVX2 CPU but a few low-end ones has), where the IDCT's
//! eight-lane arithmetic becomes vector instructions and the bit reader's shifts and the
//! entropy decoder's bit-set walks single instructions. Integer results do not depend on the
//! instructions, so every copy gives the same bytes; the environment variable
//! `THUMBSMITH_CPU=portable` forces the portable copy (`avx2` caps it at AVX2 without `pdep`),
//! so tests and benchmarks can run each copy on one machine.

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

impl Cpu {
    /// The copy to run: detected at the first call, [`OVERRIDE_VARIABLE`] applied.
    pub fn get() -> Cpu {
        static CPU: OnceLock<Cpu> = OnceLock::new();
        *CPU.get_or_init(|| {
            let forced = std::env::var(OVERRIDE_VARIABLE).ok();
            Cpu::detect().capped(forced.as_deref())
        })
    }

    /// What the CPU has, without the override.
    pub fn detect() -> Cpu {
        #[cfg(target_arch = "x86_64")]
        {
            let avx2 = std::is_x86_feature_detected!("avx2")
                && std::is_x86_feature_detected!("bmi1")
                && std::is_x86_feature_detected!("bmi2")
                && std::is_x86_feature_detected!("lzcnt")
                && std::is_x86_feature_detected!("popcnt");
            match (avx2, pdep_is_fast()) {
                (true, true) => Cpu::Avx2FastPdep,
                (true, false) => Cpu::Avx2,
                (false, _) => Cpu::Portable,
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        Cpu::Portable
    }

    /// `self` limited by an override value: `portable`, or `avx2` (no `pdep`); any other value
    /// (`native`, unset) leaves it as detected.
    pub fn capped(self, forced: Option<&str>) -> Cpu {
        match (forced, self) {
            (Some("portable"), _) => Cpu::Portable,
            (Some("avx2"), Cpu::Avx2FastPdep) => Cpu::Avx2,
            _ => self,
        }
    }
}

/// Whether BMI2's `pdep` is one fast instruction here, not microcode (AMD before family 19h,
/// Hygon).
#[cfg(target_arch = "x86_64")]
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
    use super::Cpu;

    #[test]
    fn the_override_only_lowers_the_level() {
        for detected in [Cpu::Portable, Cpu::Avx2, Cpu::Avx2FastPdep] {
            assert_eq!(detected.capped(Some("portable")), Cpu::Portable);
            assert_eq!(detected.capped(None), detected);
            assert_eq!(detected.capped(Some("native")), detected);
        }
        assert_eq!(Cpu::Avx2FastPdep.capped(Some("avx2")), Cpu::Avx2);
        assert_eq!(Cpu::Portable.capped(Some("avx2")), Cpu::Portable);
    }

    /// The process-wide choice honours the variable (CI runs the suite once with it set).
    #[test]
    fn the_choice_follows_the_environment() {
        let forced = std::env::var(super::OVERRIDE_VARIABLE).ok();
        assert_eq!(Cpu::get(), Cpu::detect().capped(forced.as_deref()));
    }
}
