//! The TIFF decode path: the first byte chooses the job (thumbsmith_fuzz::decode_job), the rest is
//! the file, a TIFF signature forced unless it has one (either byte order, classic or BigTIFF).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| thumbsmith_fuzz::decode_target_any(data, thumbsmith_fuzz::magic::TIFF));
