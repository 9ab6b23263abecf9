//! The one CPU switch: which compiled copy of each kernel runs, detected once per process.
//!
//! thumbsmith's own kernels (colour conversion, flattening, the resize's row packing, the
//! subsampling luma pass) are integer code compiled twice on x86-64, portable and for AVX2; the
//! JPEG decoder and encoder have copies of their own, and fast_image_resize picks among its
//! SIMD kernels (SSE4.1, AVX2, NEON, wasm simd128). Every copy gives the same bytes.
//!
//! The level is the JPEG decoder's ([`thumbsmith_jpeg_decoder::cpu`]): detected at the first
//! call and lowered by the environment variable [`OVERRIDE_VARIABLE`] (`THUMBSMITH_CPU`), which
//! the decoder, the encoder and this crate read with the same values:
//!
//! | value | thumbsmith, decoder and encoder | fast_image_resize |
//! |---|---|---|
//! | unset, empty or `native` | what the CPU has | what the CPU has |
//! | `avx2` | at most AVX2 (the decoder without `pdep`) | what the CPU has (AVX2 at most) |
//! | `portable` | the portable code | `CpuExtensions::None` |
//!
//! Any other value panics at the first job, naming the variable: a run that believes it forced
//! the portable code must not silently test the other one. Under Miri the level is portable.

use fast_image_resize::CpuExtensions;
pub use thumbsmith_jpeg_decoder::cpu::{Cpu, Override, OVERRIDE_VARIABLE};

/// The level every kernel of this process runs at ([`Cpu::get`]).
///
/// # Panics
/// When [`OVERRIDE_VARIABLE`] holds an unknown value.
pub fn level() -> Cpu {
    Cpu::get()
}

/// Whether thumbsmith's AVX2 copies run: the CPU has AVX2 and the override allows it.
#[cfg(target_arch = "x86_64")]
pub(crate) fn avx2() -> bool {
    level() != Cpu::Portable
}

/// The SIMD extensions fast_image_resize may use: none when the portable code is forced, its
/// own detection otherwise.
pub fn resize_extensions() -> CpuExtensions {
    if cfg!(miri) {
        return CpuExtensions::None;
    }
    match Override::get() {
        Override::Portable => CpuExtensions::None,
        Override::Native | Override::Avx2 => CpuExtensions::default(),
    }
}

/// Whether the CPU has AVX2, whatever the override says: tests that hold an AVX2 copy to the
/// portable one call both copies directly.
#[cfg(all(test, target_arch = "x86_64"))]
pub(crate) fn has_avx2() -> bool {
    Cpu::detect() != Cpu::Portable
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The process-wide level and the resizer's extensions follow the variable (CI runs the
    /// suite once with `THUMBSMITH_CPU=portable`; tests/cpu.rs runs a job under each value).
    #[test]
    fn the_level_follows_the_environment() {
        let value = std::env::var(OVERRIDE_VARIABLE).ok();
        let forced = Override::parse(value.as_deref()).expect("a documented value");
        assert_eq!(level(), Cpu::detect().capped(forced));
        #[cfg(target_arch = "x86_64")]
        assert_eq!(avx2(), level() != Cpu::Portable);
        let extensions = crate::resize::extensions_in_use();
        if forced == Override::Portable {
            assert_eq!(level(), Cpu::Portable);
            assert_eq!(extensions, CpuExtensions::None);
        } else {
            assert_eq!(extensions, resize_extensions());
        }
    }
}
