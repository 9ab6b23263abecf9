//! The JPEG XL decode path: the first byte chooses the job (thumbsmith_fuzz::decode_job), the rest
//! is the file, the bare codestream's signature forced unless it has the container's or that one.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| thumbsmith_fuzz::decode_target_any(data, thumbsmith_fuzz::magic::JXL));
