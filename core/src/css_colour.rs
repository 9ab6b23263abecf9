//! CSS colour strings, as sharp reads them through the `color` package: the 148 CSS Color 4
//! names and `transparent`, hex (3, 4, 6 or 8 digits, `#` optional), `rgb()`/`rgba()` and
//! `hsl()`/`hsla()` in the comma and the space syntax, numbers or percentages, alpha after a
//! comma or a `/`.
//!
//! Written here rather than taken from csscolorparser, the crate made for it: that crate (its
//! lab, lch, oklab and hwb parsing and a perfect-hash name table) adds some 31 KB gzipped to the
//! browser build, whose budget is 400 KB. It stays the reference: tests/css_colour.rs checks
//! this parser against it on every name and on generated strings of each syntax.

/// Parses `s` to RGBA, or `None` when it is not a colour this parser reads.
pub(crate) fn parse(s: &str) -> Option<[u8; 4]> {
    let s = s.trim().to_ascii_lowercase();
    if s == "transparent" {
        return Some([0, 0, 0, 0]);
    }
    if let Ok(i) = NAMES.binary_search_by(|(name, _)| name.cmp(&s.as_str())) {
        let [_, r, g, b] = NAMES[i].1.to_be_bytes();
        return Some([r, g, b, 255]);
    }
    if let Some((name, args)) = s.strip_suffix(')').and_then(|f| f.split_once('(')) {
        return function(name.trim(), args);
    }
    hex(s.strip_prefix('#').unwrap_or(&s))
}

fn hex(digits: &str) -> Option<[u8; 4]> {
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let nibble = |i: usize| u8::from_str_radix(&digits[i..=i], 16).ok();
    let byte = |i: usize| u8::from_str_radix(&digits[i..i + 2], 16).ok();
    match digits.len() {
        3 | 4 => {
            let mut out = [255; 4];
            for (i, c) in out.iter_mut().enumerate().take(digits.len()) {
                *c = nibble(i)? * 17;
            }
            Some(out)
        }
        6 | 8 => {
            let mut out = [255; 4];
            for (i, c) in out.iter_mut().enumerate().take(digits.len() / 2) {
                *c = byte(2 * i)?;
            }
            Some(out)
        }
        _ => None,
    }
}

/// `rgb(…)`, `rgba(…)`, `hsl(…)`, `hsla(…)`: three components and an optional alpha.
fn function(name: &str, args: &str) -> Option<[u8; 4]> {
    let (colour, alpha) = match args.split_once('/') {
        Some((colour, alpha)) => (colour, Some(alpha.trim())),
        None => (args, None),
    };
    let mut parts: Vec<&str> = colour
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .collect();
    let alpha = match (alpha, parts.len()) {
        (Some(a), 3) => Some(a),
        (None, 4) => parts.pop(),
        (None, 3) => None,
        _ => return None,
    };
    let alpha = match alpha {
        Some(a) => fraction(a, 1.0)?,
        None => 1.0,
    };
    let rgb = match name {
        "rgb" | "rgba" => [
            fraction(parts[0], 255.0)?,
            fraction(parts[1], 255.0)?,
            fraction(parts[2], 255.0)?,
        ],
        "hsl" | "hsla" => hsl(
            hue(parts[0])?,
            fraction(parts[1], 100.0)?,
            fraction(parts[2], 100.0)?,
        ),
        _ => return None,
    };
    let byte = |v: f64| (v.clamp(0.0, 1.0) * 255.0 + 0.5) as u8;
    Some([byte(rgb[0]), byte(rgb[1]), byte(rgb[2]), byte(alpha)])
}

/// A percentage, or a number on a scale of `full`, as a fraction (not clamped yet).
fn fraction(s: &str, full: f64) -> Option<f64> {
    let v = match s.strip_suffix('%') {
        Some(p) => number(p)? / 100.0,
        None => number(s)? / full,
    };
    Some(v)
}

/// A decimal number: an optional sign, digits, an optional fraction (`12`, `-0.5`, `.25`, `3.`
/// is not one). Read here rather than by `str::parse::<f64>`, whose exact decimal conversion
/// costs the browser build some 20 KB gzipped; a colour needs no more than a few digits right.
fn number(s: &str) -> Option<f64> {
    let (negative, s) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
    if (whole.is_empty() && fraction.is_empty())
        || s.ends_with('.')
        || !whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
        || whole.len() + fraction.len() > 15
    {
        return None;
    }
    let digits = |d: &str| d.bytes().fold(0.0, |v, b| v * 10.0 + f64::from(b - b'0'));
    let v = digits(whole) + digits(fraction) / 10f64.powi(fraction.len() as i32);
    Some(if negative { -v } else { v })
}

/// A hue in degrees: a number, or one with a `deg`, `grad`, `rad` or `turn` unit.
fn hue(s: &str) -> Option<f64> {
    for (unit, degrees) in [
        ("deg", 1.0),
        ("grad", 0.9),
        ("rad", 180.0 / std::f64::consts::PI),
        ("turn", 360.0),
    ] {
        if let Some(v) = s.strip_suffix(unit) {
            return Some(number(v)? * degrees);
        }
    }
    number(s)
}

/// CSS Color 4's hsl-to-rgb: hue in degrees, saturation and lightness as fractions.
fn hsl(h: f64, s: f64, l: f64) -> [f64; 3] {
    let (s, l) = (s.clamp(0.0, 1.0), l.clamp(0.0, 1.0));
    let f = |n: f64| {
        let k = (n + h / 30.0).rem_euclid(12.0);
        let a = s * l.min(1.0 - l);
        l - a * (k - 3.0).min(9.0 - k).clamp(-1.0, 1.0)
    };
    [f(0.0), f(8.0), f(4.0)]
}

/// The CSS Color 4 named colours (section 6.1), sorted by name, as 0xRRGGBB.
const NAMES: [(&str, u32); 148] = [
    ("aliceblue", 0xf0f8ff),
    ("antiquewhite", 0xfaebd7),
    ("aqua", 0x00ffff),
    ("aquamarine", 0x7fffd4),
    ("azure", 0xf0ffff),
    ("beige", 0xf5f5dc),
    ("bisque", 0xffe4c4),
    ("black", 0x000000),
    ("blanchedalmond", 0xffebcd),
    ("blue", 0x0000ff),
    ("blueviolet", 0x8a2be2),
    ("brown", 0xa52a2a),
    ("burlywood", 0xdeb887),
    ("cadetblue", 0x5f9ea0),
    ("chartreuse", 0x7fff00),
    ("chocolate", 0xd2691e),
    ("coral", 0xff7f50),
    ("cornflowerblue", 0x6495ed),
    ("cornsilk", 0xfff8dc),
    ("crimson", 0xdc143c),
    ("cyan", 0x00ffff),
    ("darkblue", 0x00008b),
    ("darkcyan", 0x008b8b),
    ("darkgoldenrod", 0xb8860b),
    ("darkgray", 0xa9a9a9),
    ("darkgreen", 0x006400),
    ("darkgrey", 0xa9a9a9),
    ("darkkhaki", 0xbdb76b),
    ("darkmagenta", 0x8b008b),
    ("darkolivegreen", 0x556b2f),
    ("darkorange", 0xff8c00),
    ("darkorchid", 0x9932cc),
    ("darkred", 0x8b0000),
    ("darksalmon", 0xe9967a),
    ("darkseagreen", 0x8fbc8f),
    ("darkslateblue", 0x483d8b),
    ("darkslategray", 0x2f4f4f),
    ("darkslategrey", 0x2f4f4f),
    ("darkturquoise", 0x00ced1),
    ("darkviolet", 0x9400d3),
    ("deeppink", 0xff1493),
    ("deepskyblue", 0x00bfff),
    ("dimgray", 0x696969),
    ("dimgrey", 0x696969),
    ("dodgerblue", 0x1e90ff),
    ("firebrick", 0xb22222),
    ("floralwhite", 0xfffaf0),
    ("forestgreen", 0x228b22),
    ("fuchsia", 0xff00ff),
    ("gainsboro", 0xdcdcdc),
    ("ghostwhite", 0xf8f8ff),
    ("gold", 0xffd700),
    ("goldenrod", 0xdaa520),
    ("gray", 0x808080),
    ("green", 0x008000),
    ("greenyellow", 0xadff2f),
    ("grey", 0x808080),
    ("honeydew", 0xf0fff0),
    ("hotpink", 0xff69b4),
    ("indianred", 0xcd5c5c),
    ("indigo", 0x4b0082),
    ("ivory", 0xfffff0),
    ("khaki", 0xf0e68c),
    ("lavender", 0xe6e6fa),
    ("lavenderblush", 0xfff0f5),
    ("lawngreen", 0x7cfc00),
    ("lemonchiffon", 0xfffacd),
    ("lightblue", 0xadd8e6),
    ("lightcoral", 0xf08080),
    ("lightcyan", 0xe0ffff),
    ("lightgoldenrodyellow", 0xfafad2),
    ("lightgray", 0xd3d3d3),
    ("lightgreen", 0x90ee90),
    ("lightgrey", 0xd3d3d3),
    ("lightpink", 0xffb6c1),
    ("lightsalmon", 0xffa07a),
    ("lightseagreen", 0x20b2aa),
    ("lightskyblue", 0x87cefa),
    ("lightslategray", 0x778899),
    ("lightslategrey", 0x778899),
    ("lightsteelblue", 0xb0c4de),
    ("lightyellow", 0xffffe0),
    ("lime", 0x00ff00),
    ("limegreen", 0x32cd32),
    ("linen", 0xfaf0e6),
    ("magenta", 0xff00ff),
    ("maroon", 0x800000),
    ("mediumaquamarine", 0x66cdaa),
    ("mediumblue", 0x0000cd),
    ("mediumorchid", 0xba55d3),
    ("mediumpurple", 0x9370db),
    ("mediumseagreen", 0x3cb371),
    ("mediumslateblue", 0x7b68ee),
    ("mediumspringgreen", 0x00fa9a),
    ("mediumturquoise", 0x48d1cc),
    ("mediumvioletred", 0xc71585),
    ("midnightblue", 0x191970),
    ("mintcream", 0xf5fffa),
    ("mistyrose", 0xffe4e1),
    ("moccasin", 0xffe4b5),
    ("navajowhite", 0xffdead),
    ("navy", 0x000080),
    ("oldlace", 0xfdf5e6),
    ("olive", 0x808000),
    ("olivedrab", 0x6b8e23),
    ("orange", 0xffa500),
    ("orangered", 0xff4500),
    ("orchid", 0xda70d6),
    ("palegoldenrod", 0xeee8aa),
    ("palegreen", 0x98fb98),
    ("paleturquoise", 0xafeeee),
    ("palevioletred", 0xdb7093),
    ("papayawhip", 0xffefd5),
    ("peachpuff", 0xffdab9),
    ("peru", 0xcd853f),
    ("pink", 0xffc0cb),
    ("plum", 0xdda0dd),
    ("powderblue", 0xb0e0e6),
    ("purple", 0x800080),
    ("rebeccapurple", 0x663399),
    ("red", 0xff0000),
    ("rosybrown", 0xbc8f8f),
    ("royalblue", 0x4169e1),
    ("saddlebrown", 0x8b4513),
    ("salmon", 0xfa8072),
    ("sandybrown", 0xf4a460),
    ("seagreen", 0x2e8b57),
    ("seashell", 0xfff5ee),
    ("sienna", 0xa0522d),
    ("silver", 0xc0c0c0),
    ("skyblue", 0x87ceeb),
    ("slateblue", 0x6a5acd),
    ("slategray", 0x708090),
    ("slategrey", 0x708090),
    ("snow", 0xfffafa),
    ("springgreen", 0x00ff7f),
    ("steelblue", 0x4682b4),
    ("tan", 0xd2b48c),
    ("teal", 0x008080),
    ("thistle", 0xd8bfd8),
    ("tomato", 0xff6347),
    ("turquoise", 0x40e0d0),
    ("violet", 0xee82ee),
    ("wheat", 0xf5deb3),
    ("white", 0xffffff),
    ("whitesmoke", 0xf5f5f5),
    ("yellow", 0xffff00),
    ("yellowgreen", 0x9acd32),
];
