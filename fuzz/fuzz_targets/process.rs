//! The whole job on hostile bytes: options from the first bytes (thumbsmith_fuzz::options_from),
//! the image after them, sniffed as `process` sniffs it. Any panic (caught or not) is a crash.
#![no_main]
use libfuzzer_sys::fuzz_target;
use thumbsmith_fuzz::{check, options_from, OPTION_BYTES};

fuzz_target!(|data: &[u8]| {
    let (header, image) = data.split_at(data.len().min(OPTION_BYTES));
    let options = options_from(header, image);
    if let Ok(output) = check(thumbsmith::process(image, &options)) {
        // What the result says must be what it holds.
        assert!(output.width >= 1 && output.height >= 1, "{output:?}");
        assert!(output.width <= options.max_output_dimension, "{output:?}");
        assert!(output.height <= options.max_output_dimension, "{output:?}");
        assert!(!output.data.is_empty());
        if output.format == thumbsmith::Format::Raw {
            let pixels = output.width as usize * output.height as usize;
            assert_eq!(output.data.len(), pixels * usize::from(output.channels));
        } else {
            assert_eq!(thumbsmith::sniff(&output.data).ok(), Some(output.format));
        }
    }
});
