//! `thumbsmith thumbnail IN... -o OUTDIR --size 512`, `thumbsmith plan IN... --size 512` and
//! `thumbsmith info IN...`.
//!
//! The flags only assemble a JSON object for `Options::from_value`: the CLI has no defaults of its
//! own, so a flag left out means the library default, exactly as in every binding.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde_json::{json, Map, Value};

#[derive(Parser)]
#[command(
    name = "thumbsmith",
    version,
    about = "Crop and thumbnail images, fast and upright"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Make thumbnails of files, directories or globs into OUTDIR.
    Thumbnail(ThumbnailArgs),
    /// Print the plan of the thumbnail job for each image: what is decoded, at what scale, in
    /// which order the steps run (only headers are read, no pixels decoded).
    Plan(PlanArgs),
    /// Print what each image's header says, one JSON object per line (no pixels decoded).
    Info {
        #[arg(required = true)]
        inputs: Vec<String>,
    },
}

#[derive(Args)]
struct ThumbnailArgs {
    /// Files, directories (searched recursively for images) or glob patterns.
    #[arg(required = true)]
    inputs: Vec<String>,
    /// Output directory (created if missing).
    #[arg(short, long)]
    out: PathBuf,
    #[command(flatten)]
    options: OptionArgs,
    /// Worker threads (default: one per core).
    #[arg(short, long)]
    jobs: Option<usize>,
}

#[derive(Args)]
struct PlanArgs {
    /// Files, directories (searched recursively for images) or glob patterns.
    #[arg(required = true)]
    inputs: Vec<String>,
    #[command(flatten)]
    options: OptionArgs,
    /// One JSON object per line instead of text.
    #[arg(long)]
    json: bool,
}

/// The job's options, shared by `thumbnail` and `plan`.
#[derive(Args)]
struct OptionArgs {
    /// Square size: shorthand for --width N --height N.
    #[arg(long, conflicts_with_all = ["width", "height"])]
    size: Option<u32>,
    #[arg(long)]
    width: Option<u32>,
    #[arg(long)]
    height: Option<u32>,
    /// cover, contain, fill, inside or outside.
    #[arg(long)]
    fit: Option<String>,
    /// A gravity (north-east…), entropy or attention.
    #[arg(long)]
    position: Option<String>,
    /// jpeg, png, webp or same.
    #[arg(long)]
    format: Option<String>,
    #[arg(long)]
    quality: Option<u8>,
    /// Any other options as a JSON object, e.g. '{"progressive": true, "thumbhash": true}'.
    #[arg(long)]
    options: Option<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Thumbnail(args) => thumbnail(args),
        Command::Plan(args) => plan(&args),
        Command::Info { inputs } => info(&inputs),
    }
}

fn options_from(args: &OptionArgs) -> Result<thumbsmith::Options, String> {
    let mut map = match &args.options {
        Some(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => map,
            Ok(_) => return Err("--options must be a JSON object".into()),
            Err(e) => return Err(format!("--options is not valid JSON: {e}")),
        },
        None => Map::new(),
    };
    let mut set = |key: &str, value: Option<Value>| {
        if let Some(v) = value {
            map.insert(key.to_string(), v);
        }
    };
    set("width", args.size.or(args.width).map(|v| json!(v)));
    set("height", args.size.or(args.height).map(|v| json!(v)));
    set("fit", args.fit.clone().map(Value::String));
    set("position", args.position.clone().map(Value::String));
    set("format", args.format.clone().map(Value::String));
    set("quality", args.quality.map(|v| json!(v)));
    thumbsmith::Options::from_value(Value::Object(map)).map_err(|e| e.to_string())
}

/// Expands files, directories and globs. Files named explicitly are always tried (and fail loudly
/// if they are not images); files found in directories are taken only if their bytes sniff as an
/// image, so a README beside the photos is skipped, not failed.
fn expand(inputs: &[String]) -> (Vec<PathBuf>, Vec<String>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for input in inputs {
        let path = Path::new(input);
        if path.is_dir() {
            walk(path, &mut files);
        } else if path.exists() {
            files.push(path.to_path_buf());
        } else if input.contains(['*', '?', '[']) {
            match glob::glob(input) {
                Ok(paths) => {
                    let before = files.len();
                    files.extend(paths.flatten().filter(|p| p.is_file()));
                    if files.len() == before {
                        problems.push(format!("{input}: no files match"));
                    }
                }
                Err(e) => problems.push(format!("{input}: bad pattern: {e}")),
            }
        } else {
            problems.push(format!("{input}: no such file or directory"));
        }
    }
    (files, problems)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, files);
        } else if looks_like_image(&path) {
            files.push(path);
        }
    }
}

fn looks_like_image(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    let n = file.read(&mut head).unwrap_or(0);
    thumbsmith::sniff(&head[..n]).is_ok()
}

/// `OUTDIR/<stem>.<ext>`, with `-2`, `-3`… when two inputs share a stem.
fn output_paths(files: &[PathBuf], out: &Path, extension: &str) -> Vec<PathBuf> {
    let mut taken = HashSet::new();
    files
        .iter()
        .map(|f| {
            let stem = f
                .file_stem()
                .map_or("image".into(), |s| s.to_string_lossy().into_owned());
            let mut name = format!("{stem}.{extension}");
            let mut n = 2;
            while !taken.insert(name.clone()) {
                name = format!("{stem}-{n}.{extension}");
                n += 1;
            }
            out.join(name)
        })
        .collect()
}

fn thumbnail(args: ThumbnailArgs) -> ExitCode {
    let options = match options_from(&args.options) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("thumbsmith: {e}");
            return ExitCode::from(2);
        }
    };
    let (files, problems) = expand(&args.inputs);
    for p in &problems {
        eprintln!("error: {p}");
    }
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("thumbsmith: cannot create {}: {e}", args.out.display());
        return ExitCode::from(2);
    }
    let extension = match options.format {
        thumbsmith::OutputFormat::Jpeg => "jpg",
        thumbsmith::OutputFormat::Png => "png",
        thumbsmith::OutputFormat::Webp => "webp",
        thumbsmith::OutputFormat::Raw => "raw",
        thumbsmith::OutputFormat::Same => "",
    };
    let outputs = output_paths(
        &files,
        &args.out,
        if extension.is_empty() {
            "out"
        } else {
            extension
        },
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.jobs.unwrap_or(0))
        .build()
        .expect("thread pool");
    let threads = pool.current_num_threads();
    let bar = ProgressBar::new(files.len() as u64).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let (bytes_in, bytes_out) = (AtomicU64::new(0), AtomicU64::new(0));
    let failures = Mutex::new(Vec::new());
    let started = Instant::now();
    pool.install(|| {
        files.par_iter().zip(&outputs).for_each(|(input, output)| {
            let result = thumbsmith::read_input(input, options.max_input_bytes).and_then(|bytes| {
                bytes_in.fetch_add(bytes.len() as u64, Ordering::Relaxed);
                let result = thumbsmith::process(&bytes, &options)?;
                let output = if extension.is_empty() {
                    output.with_extension(match result.format {
                        thumbsmith::Format::Jpeg => "jpg",
                        other => other.as_str(),
                    })
                } else {
                    output.clone()
                };
                std::fs::write(&output, &result.data)
                    .map_err(|e| thumbsmith::Error::io(&output, &e))?;
                bytes_out.fetch_add(result.data.len() as u64, Ordering::Relaxed);
                Ok(())
            });
            if let Err(e) = result {
                bar.suspend(|| eprintln!("error: {}: {e}", input.display()));
                failures
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(input.clone());
            }
            bar.set_message(
                input
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            );
            bar.inc(1);
        })
    });
    bar.finish_and_clear();
    let failed = failures.into_inner().unwrap_or_default().len() + problems.len();
    let elapsed = started.elapsed().as_secs_f64();
    let mb = |b: &AtomicU64| b.load(Ordering::Relaxed) as f64 / 1e6;
    println!(
        "{} files: {} ok, {} failed · {:.1} MB in → {:.2} MB out · {:.2} s ({:.0} ms/file, {} threads)",
        files.len() + problems.len(),
        files.len() + problems.len() - failed,
        failed,
        mb(&bytes_in),
        mb(&bytes_out),
        elapsed,
        if files.is_empty() { 0.0 } else { elapsed * 1000.0 / files.len() as f64 },
        threads,
    );
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn plan(args: &PlanArgs) -> ExitCode {
    let options = match options_from(&args.options) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("thumbsmith: {e}");
            return ExitCode::from(2);
        }
    };
    let (files, problems) = expand(&args.inputs);
    let mut failed = problems.len();
    for p in &problems {
        eprintln!("error: {p}");
    }
    for (i, file) in files.iter().enumerate() {
        let result = thumbsmith::read_input(file, options.max_input_bytes)
            .and_then(|b| thumbsmith::plan(&b, &options));
        match result {
            Ok(plan) if args.json => {
                let mut value = serde_json::to_value(plan).unwrap_or_default();
                if let Value::Object(map) = &mut value {
                    map.insert("file".into(), json!(file.display().to_string()));
                }
                println!("{value}");
            }
            Ok(plan) => {
                if i > 0 {
                    println!();
                }
                println!("{}\n{plan}", file.display());
            }
            Err(e) => {
                eprintln!("error: {}: {e}", file.display());
                failed += 1;
            }
        }
    }
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn info(inputs: &[String]) -> ExitCode {
    let (files, problems) = expand(inputs);
    let mut failed = problems.len();
    for p in &problems {
        eprintln!("error: {p}");
    }
    for file in files {
        let result = thumbsmith::read_input(&file, u64::MAX).and_then(|b| thumbsmith::metadata(&b));
        match result {
            Ok(meta) => {
                let mut value = serde_json::to_value(meta).unwrap_or_default();
                if let Value::Object(map) = &mut value {
                    map.insert("file".into(), json!(file.display().to_string()));
                }
                println!("{value}");
            }
            Err(e) => {
                eprintln!("error: {}: {e}", file.display());
                failed += 1;
            }
        }
    }
    if failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
