//! The avatar job as a user's binary does it, checked: the bundled sample photo (stored sideways,
//! EXIF orientation 6) becomes an upright 512×512 JPEG with no metadata.

use std::process::ExitCode;

const SAMPLE: &[u8] = include_bytes!("../../assets/sample-exif6.jpg");

fn main() -> ExitCode {
    match run() {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("avatar-consumer: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<String, Box<dyn std::error::Error>> {
    let source = thumbsmith::metadata(SAMPLE)?;
    let avatar = thumbsmith::process(SAMPLE, &thumbsmith::Options::avatar(512))?;
    let written = thumbsmith::metadata(&avatar.data)?;
    let facts = (
        written.format,
        written.width,
        written.height,
        written.has_exif,
    );
    if facts != (thumbsmith::Format::Jpeg, 512, 512, false) {
        return Err(format!("expected a 512×512 JPEG without EXIF, got {facts:?}").into());
    }
    if (source.orientation, avatar.orientation) != (6, 6) {
        return Err(format!(
            "the sample's orientation 6 was not applied: source {}, applied {}",
            source.orientation, avatar.orientation
        )
        .into());
    }
    // The crop was taken from the photo as displayed (its width and height swapped by
    // orientation 6), not as stored.
    let upright = (source.oriented_width, source.oriented_height);
    if (avatar.source_width, avatar.source_height) != upright || upright.0 == source.width {
        return Err(format!("not cropped from the upright {upright:?} photo").into());
    }
    let again = thumbsmith::process(&avatar.data, &thumbsmith::Options::avatar(512))?;
    if (again.width, again.height, again.orientation) != (512, 512, 1) {
        return Err("the avatar does not read back as a plain 512×512 picture".into());
    }
    Ok(format!(
        "avatar-consumer: {} bytes, 512×512 from the {}×{} upright photo",
        avatar.data.len(),
        avatar.source_width,
        avatar.source_height
    ))
}
