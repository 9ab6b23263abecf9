//! The gif decode path: the first byte chooses the job (thumbsmith_fuzz::decode_job: full size,
//! every JPEG N/8 scale, windows, rotations), the rest is the file with GIF magic bytes forced.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| thumbsmith_fuzz::decode_target(data, thumbsmith_fuzz::magic::GIF));
