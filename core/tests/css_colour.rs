//! The core's CSS colour parser (src/css_colour.rs) against csscolorparser, the crate made for
//! it: every named colour, and generated strings of each syntax the core reads. Where the core
//! reads a string, the reference must read it to the same RGBA (hsl within one step: the
//! reference computes in f32); for the syntaxes generated here, the core must read them all.

use proptest::prelude::*;
use thumbsmith::Color;

fn ours(s: &str) -> Option<[u8; 4]> {
    Color::parse(s).ok().map(|c| [c.r, c.g, c.b, c.a])
}

fn theirs(s: &str) -> Option<[u8; 4]> {
    csscolorparser::parse(s).ok().map(|c| c.to_rgba8())
}

fn close(a: [u8; 4], b: [u8; 4], step: u8) -> bool {
    a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= step)
}

#[test]
fn every_named_colour_reads_as_the_reference_reads_it() {
    let mut count = 0;
    for (name, _) in csscolorparser::NAMED_COLORS.entries() {
        for spelling in [name.as_str().to_string(), name.as_str().to_uppercase()] {
            assert_eq!(ours(&spelling), theirs(&spelling), "{spelling}");
        }
        count += 1;
    }
    assert_eq!(count, 148);
    assert_eq!(ours("transparent"), Some([0, 0, 0, 0]));
}

#[test]
fn what_is_not_a_colour_is_refused() {
    for s in [
        "",
        "#",
        "#12",
        "#12345",
        "#1234567",
        "#ggg",
        "reddish",
        "rgb(1,2)",
        "rgb(1,2,3,4,5)",
        "rgb(a,b,c)",
        "hsl(10,20%)",
        "rgb(1 2 3 / 4 / 5)",
        "cmyk(1,2,3,4)",
        "rgb(nan,0,0)",
        "rgb(inf,0,0)",
    ] {
        assert_eq!(ours(s), None, "{s:?}");
    }
    let message = Color::parse("reddish").unwrap_err();
    assert!(message.contains("invalid colour `reddish`"), "{message}");
}

fn component() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u16..=300).prop_map(|v| v.to_string()),
        (0.0f64..300.0).prop_map(|v| format!("{v:.2}")),
        (0.0f64..120.0).prop_map(|v| format!("{v:.1}%")),
    ]
}

fn alpha() -> impl Strategy<Value = String> {
    prop_oneof![
        (0.0f64..1.5).prop_map(|v| format!("{v:.3}")),
        (0u8..=100).prop_map(|v| format!("{v}%")),
    ]
}

fn hue() -> impl Strategy<Value = String> {
    prop_oneof![
        (-720.0f64..720.0).prop_map(|v| format!("{v:.1}")),
        (-720.0f64..720.0).prop_map(|v| format!("{v:.1}deg")),
        (0.0f64..2.0).prop_map(|v| format!("{v:.3}turn")),
        (0.0f64..7.0).prop_map(|v| format!("{v:.3}rad")),
        (0.0f64..400.0).prop_map(|v| format!("{v:.1}grad")),
    ]
}

fn percent() -> impl Strategy<Value = String> {
    (0.0f64..110.0).prop_map(|v| format!("{v:.1}%"))
}

/// One colour in one of the syntaxes, and how close the two parsers must agree.
fn colour() -> impl Strategy<Value = (String, u8)> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 3..=4).prop_flat_map(|b| {
            let long = b.iter().map(|v| format!("{v:02x}")).collect::<String>();
            let short = b
                .iter()
                .map(|v| format!("{:x}", v >> 4))
                .collect::<String>();
            prop_oneof![Just(long), Just(short)]
                .prop_flat_map(|h| prop_oneof![Just(format!("#{h}")), Just(h.to_uppercase())])
                .prop_map(|s| (s, 0))
        }),
        (component(), component(), component())
            .prop_map(|(r, g, b)| (format!("rgb({r}, {g}, {b})"), 0)),
        (component(), component(), component(), alpha())
            .prop_map(|(r, g, b, a)| (format!("rgba({r},{g},{b},{a})"), 0)),
        (component(), component(), component(), alpha())
            .prop_map(|(r, g, b, a)| (format!("rgb({r} {g} {b} / {a})"), 0)),
        (hue(), percent(), percent()).prop_map(|(h, s, l)| (format!("hsl({h}, {s}, {l})"), 1)),
        (hue(), percent(), percent(), alpha())
            .prop_map(|(h, s, l, a)| (format!("hsla({h} {s} {l} / {a})"), 1)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn each_syntax_reads_as_the_reference_reads_it((s, step) in colour()) {
        let reference = theirs(&s);
        prop_assert!(reference.is_some(), "the reference refuses {s:?}");
        let got = ours(&s);
        prop_assert!(got.is_some(), "refused {s:?}");
        prop_assert!(close(got.unwrap(), reference.unwrap(), step), "{s:?}: {got:?} vs {reference:?}");
    }

    #[test]
    fn whatever_the_core_reads_the_reference_reads_alike(s in "[a-z#(),/% .0-9-]{0,24}") {
        if let Some(got) = ours(&s) {
            let reference = theirs(&s);
            prop_assert!(reference.is_some(), "only the core reads {s:?} ({got:?})");
            prop_assert!(close(got, reference.unwrap(), 1), "{s:?}: {got:?} vs {reference:?}");
        }
    }
}
