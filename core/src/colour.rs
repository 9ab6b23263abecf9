//! Colour to sRGB with moxcms, a pure-Rust CMS, so the browser build converts exactly as the
//! server does. Profiles that cannot be parsed are ignored (the pixels are taken as sRGB, as
//! browsers do) rather than failing a photo over a damaged tag.

use moxcms::{ColorProfile, DataColorSpace, Layout, TransformOptions};

use crate::decode::Decoded;
use crate::raster::Raster;

/// Converts decoded pixels (or CMYK inks) described by `icc` to sRGB. Returns the raster in sRGB
/// and whether a conversion actually happened.
pub(crate) fn to_srgb(decoded: Decoded, icc: Option<&[u8]>) -> Raster {
    let profile = icc.and_then(|bytes| ColorProfile::new_from_slice(bytes).ok());
    match decoded {
        Decoded::Cmyk(inks) => match profile.filter(|p| p.color_space == DataColorSpace::Cmyk) {
            Some(p) => {
                transform(&inks, &p, Layout::Rgba, 3).unwrap_or_else(|| naive_cmyk_to_rgb(&inks))
            }
            None => naive_cmyk_to_rgb(&inks),
        },
        Decoded::Pixels(raster) => {
            let Some(p) = profile else { return raster };
            if is_srgb(&p) {
                return raster;
            }
            let (layout, out_channels) = match (raster.channels, p.color_space) {
                (3, DataColorSpace::Rgb) => (Layout::Rgb, 3),
                (4, DataColorSpace::Rgb) => (Layout::Rgba, 4),
                // A gray profile (e.g. Gray Gamma 2.2) becomes sRGB gray: R = G = B.
                (1, DataColorSpace::Gray) => (Layout::Gray, 3),
                (2, DataColorSpace::Gray) => (Layout::GrayAlpha, 4),
                // A profile that does not describe these pixels is ignored.
                _ => return raster,
            };
            transform(&raster, &p, layout, out_channels).unwrap_or(raster)
        }
    }
}

/// Pixels whose profile is not applied (the caller keeps the profile, or there is none).
pub(crate) fn without_conversion(decoded: Decoded) -> Raster {
    match decoded {
        Decoded::Pixels(raster) => raster,
        Decoded::Cmyk(inks) => naive_cmyk_to_rgb(&inks),
    }
}

/// Most camera and phone JPEGs embed plain sRGB; converting sRGB to sRGB would only cost time.
fn is_srgb(profile: &ColorProfile) -> bool {
    let srgb = ColorProfile::new_srgb();
    let close = |a: moxcms::Xyzd, b: moxcms::Xyzd| {
        (a.x - b.x).abs() < 0.002 && (a.y - b.y).abs() < 0.002 && (a.z - b.z).abs() < 0.002
    };
    let named_srgb = profile.description.as_ref().is_some_and(|d| {
        let text = format!("{d:?}").to_ascii_lowercase();
        text.contains("srgb") || text.contains("iec61966-2")
    });
    profile.color_space == DataColorSpace::Rgb
        && named_srgb
        && close(profile.red_colorant, srgb.red_colorant)
        && close(profile.green_colorant, srgb.green_colorant)
        && close(profile.blue_colorant, srgb.blue_colorant)
}

fn transform(
    src: &Raster,
    profile: &ColorProfile,
    layout: Layout,
    out_channels: u8,
) -> Option<Raster> {
    let out_layout = match out_channels {
        3 => Layout::Rgb,
        _ => Layout::Rgba,
    };
    let srgb = ColorProfile::new_srgb();
    let executor = profile
        .create_transform_8bit(layout, &srgb, out_layout, TransformOptions::default())
        .ok()?;
    let mut out = vec![0u8; src.width as usize * src.height as usize * out_channels as usize];
    let in_row = src.width as usize * src.channels as usize;
    let out_row = src.width as usize * out_channels as usize;
    for (s, d) in src
        .data
        .chunks_exact(in_row)
        .zip(out.chunks_exact_mut(out_row))
    {
        executor.transform(s, d).ok()?;
    }
    Some(Raster::new(src.width, src.height, out_channels, out))
}

/// CMYK without a profile: the textbook formula, what browsers and zune do.
fn naive_cmyk_to_rgb(inks: &Raster) -> Raster {
    let data = inks
        .data
        .chunks_exact(4)
        .flat_map(|p| {
            let k = 255 - u32::from(p[3]);
            let f = |c: u8| ((255 - u32::from(c)) * k / 255) as u8;
            [f(p[0]), f(p[1]), f(p[2])]
        })
        .collect();
    Raster::new(inks.width, inks.height, 3, data)
}
