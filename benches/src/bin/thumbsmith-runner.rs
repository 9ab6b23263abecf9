//! Runs the avatar job (`Options::avatar(512)`: 512×512 cover centre → JPEG q80 4:2:0, metadata
//! stripped) on files already in memory and prints the time of every run as JSON. Only the job is
//! timed: bytes in memory → bytes in memory.
//!
//! ```text
//! thumbsmith-runner [--runs N] [--warmup W] [--threads T] [--size S] [--quality Q] [--out DIR] FILE...
//! thumbsmith-runner --serve            # line protocol used by compare/compare.py
//! thumbsmith-runner --once FILE        # one job, for `/usr/bin/time -f %M` (peak RSS)
//! thumbsmith-runner --idle FILE        # the same process without the job (the RSS baseline)
//! thumbsmith-runner --info FILE        # thumbsmith::metadata as JSON (header only)
//! thumbsmith-runner [--threads T] --control JOBS   # the machine's own scaling, see `control`
//! ```
//!
//! With `--threads T` every thread takes the next (file, run) job from a shared queue, so each
//! file is processed by one thread at a time and the threads stay busy to the end; the printed
//! `jobs_per_s` is what the 1- vs 2-thread throughput ratio is computed from.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use serde_json::{json, Value};
use thumbsmith::Options;

struct Args {
    runs: usize,
    warmup: usize,
    threads: usize,
    size: u32,
    /// JPEG quality instead of the default's (compare.py's search for sharp's SSIMULACRA2).
    quality: Option<u8>,
    out: Option<PathBuf>,
    files: Vec<PathBuf>,
}

fn usage() -> ! {
    eprintln!(
        "usage: thumbsmith-runner [--runs N] [--warmup W] [--threads T] [--size S] [--quality Q] [--out DIR] FILE...\n\
         \x20      thumbsmith-runner --serve | --once FILE | --idle FILE | --info FILE\n\
         \x20      thumbsmith-runner [--threads T] --control JOBS"
    );
    std::process::exit(2)
}

fn main() {
    let mut argv = std::env::args().skip(1);
    let mut args = Args {
        runs: 5,
        warmup: 1,
        threads: 1,
        size: thumbsmith_benches::AVATAR_SIZE,
        quality: None,
        out: None,
        files: Vec::new(),
    };
    let number = |v: Option<String>| v.and_then(|v| v.parse().ok()).unwrap_or_else(|| usage());
    while let Some(arg) = argv.next() {
        match arg.as_str() {
            "--serve" => return serve(args.size),
            "--control" => {
                let jobs = number(argv.next());
                let report = control(args.threads, jobs);
                println!("{report}");
                return;
            }
            "--info" => {
                let path = PathBuf::from(argv.next().unwrap_or_else(|| usage()));
                return info(&path);
            }
            "--once" | "--idle" => {
                let path = PathBuf::from(argv.next().unwrap_or_else(|| usage()));
                return once(&path, args.size, arg == "--once");
            }
            "--runs" => args.runs = number(argv.next()),
            "--warmup" => args.warmup = number(argv.next()),
            "--threads" => args.threads = number(argv.next()).max(1),
            "--size" => args.size = number(argv.next()) as u32,
            "--quality" => {
                args.quality = Some(u8::try_from(number(argv.next())).unwrap_or_else(|_| usage()))
            }
            "--out" => args.out = Some(argv.next().unwrap_or_else(|| usage()).into()),
            "-h" | "--help" => usage(),
            _ if arg.starts_with('-') => usage(),
            _ => args.files.push(arg.into()),
        }
    }
    if args.files.is_empty() {
        usage();
    }
    let report = run_batch(&args);
    println!("{}", serde_json::to_string_pretty(&report).expect("JSON"));
}

fn job(input: &[u8], options: &Options) -> thumbsmith::Result<thumbsmith::Output> {
    thumbsmith::process(input, options)
}

/// The timed batch: warm-up runs (untimed), then `runs` timed jobs per file on `threads` threads.
fn run_batch(args: &Args) -> Value {
    let mut options = Options::avatar(args.size);
    if let Some(quality) = args.quality {
        options.quality = quality;
    }
    let inputs: Vec<Result<Vec<u8>, String>> = args
        .files
        .iter()
        .map(|p| std::fs::read(p).map_err(|e| format!("{}: {e}", p.display())))
        .collect();
    // Warm-up also finds the files the job fails on, so they are reported, not timed.
    let mut outcome: Vec<Result<thumbsmith::Output, String>> = inputs
        .iter()
        .map(|input| {
            let input = input.as_ref().map_err(Clone::clone)?;
            let mut last = job(input, &options).map_err(|e| e.to_string());
            for _ in 1..args.warmup.max(1) {
                last = job(input, &options).map_err(|e| e.to_string());
            }
            last
        })
        .collect();
    let queue: Vec<usize> = (0..args.runs)
        .flat_map(|_| (0..inputs.len()).filter(|&i| outcome[i].is_ok()))
        .collect();
    let next = AtomicUsize::new(0);
    let times = Mutex::new(vec![Vec::new(); inputs.len()]);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..args.threads {
            scope.spawn(|| {
                while let Some(&file) = queue.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let input = inputs[file].as_ref().expect("checked in warm-up");
                    let t = Instant::now();
                    let output = job(input, &options);
                    let ms = t.elapsed().as_secs_f64() * 1e3;
                    std::hint::black_box(output.map(|o| o.data.len()).ok());
                    times.lock().expect("lock")[file].push(ms);
                }
            });
        }
    });
    let wall_ms = started.elapsed().as_secs_f64() * 1e3;
    let times = times.into_inner().expect("lock");

    let files: Vec<Value> = args
        .files
        .iter()
        .zip(outcome.iter_mut())
        .zip(times)
        .map(|((path, outcome), ms)| match outcome {
            Err(error) => json!({"path": path, "error": error}),
            Ok(output) => {
                if let Some(dir) = &args.out {
                    let name =
                        Path::new(path.file_name().unwrap_or_default()).with_extension("jpg");
                    if let Err(e) = std::fs::write(dir.join(name), &output.data) {
                        eprintln!("cannot write into {}: {e}", dir.display());
                    }
                }
                json!({
                    "path": path,
                    "bytes": output.data.len(),
                    "width": output.width,
                    "height": output.height,
                    "median_ms": median(&ms),
                    "ms": ms,
                })
            }
        })
        .collect();
    json!({
        "library": "thumbsmith",
        "threads": args.threads,
        "runs": args.runs,
        "jobs": queue.len(),
        "wall_ms": wall_ms,
        "jobs_per_s": queue.len() as f64 / (wall_ms / 1e3),
        "files": files,
    })
}

fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// The control for the throughput ratio: `jobs` pieces of pure arithmetic (no memory traffic, no
/// allocation) on `threads` threads from the same kind of queue. On idle cores it scales with
/// the thread count; when other work shares the cores it shows how much a second thread can get at
/// all, so the avatar job's ratio can be read against it.
fn control(threads: usize, jobs: usize) -> Value {
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                while next.fetch_add(1, Ordering::Relaxed) < jobs {
                    // Long enough a piece that taking it from the queue costs nothing beside it.
                    let mut x = std::hint::black_box(0x9E37_79B9_7F4A_7C15u64);
                    for _ in 0..10_000_000 {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                    }
                    std::hint::black_box(x);
                }
            });
        }
    });
    let wall_ms = started.elapsed().as_secs_f64() * 1e3;
    json!({"threads": threads, "jobs": jobs, "wall_ms": wall_ms, "jobs_per_s": jobs as f64 / (wall_ms / 1e3)})
}

/// The header facts (size, format, progressive…) compare.py groups and labels files by.
fn info(path: &Path) {
    let metadata = std::fs::read(path)
        .map_err(|e| e.to_string())
        .and_then(|input| thumbsmith::metadata(&input).map_err(|e| e.to_string()));
    match metadata {
        Ok(m) => println!("{}", serde_json::to_string(&m).expect("JSON")),
        Err(e) => {
            eprintln!("{}: {e}", path.display());
            std::process::exit(1)
        }
    }
}

/// One job (or none) in a fresh process, for peak-RSS measurement by `/usr/bin/time -f %M`.
fn once(path: &Path, size: u32, run_job: bool) {
    let input = std::fs::read(path).unwrap_or_else(|e| {
        eprintln!("{}: {e}", path.display());
        std::process::exit(1)
    });
    if run_job {
        if let Err(e) = job(&input, &Options::avatar(size)) {
            eprintln!("{}: {e}", path.display());
            std::process::exit(1)
        }
    }
    std::hint::black_box(&input);
}

/// The line protocol every library's worker speaks (compare/compare.py):
/// `{"op":"load","path":P}` reads the file and runs one untimed warm-up job,
/// `{"op":"run"}` times one job and answers `{"ms":…, "bytes":…}`,
/// `{"op":"save","path":P}` writes the last output, `{"op":"version"}` names the versions.
/// Errors answer `{"error": message}`.
fn serve(size: u32) {
    let options = Options::avatar(size);
    let mut input: Vec<u8> = Vec::new();
    let mut last: Vec<u8> = Vec::new();
    let stdout = std::io::stdout();
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let request: Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                reply(&stdout, json!({"error": format!("bad request: {e}")}));
                continue;
            }
        };
        let answer = match request["op"].as_str() {
            Some("load") => match std::fs::read(request["path"].as_str().unwrap_or_default()) {
                Err(e) => json!({"error": e.to_string()}),
                Ok(bytes) => {
                    input = bytes;
                    match job(&input, &options) {
                        Ok(output) => {
                            last = output.data;
                            json!({"bytes": last.len()})
                        }
                        Err(e) => json!({"error": e.to_string()}),
                    }
                }
            },
            Some("run") => {
                let t = Instant::now();
                let output = job(&input, &options);
                let ms = t.elapsed().as_secs_f64() * 1e3;
                match output {
                    Ok(output) => {
                        last = output.data;
                        json!({"ms": ms, "bytes": last.len()})
                    }
                    Err(e) => json!({"error": e.to_string()}),
                }
            }
            Some("save") => {
                match std::fs::write(request["path"].as_str().unwrap_or_default(), &last) {
                    Ok(()) => json!({"ok": true}),
                    Err(e) => json!({"error": e.to_string()}),
                }
            }
            Some("version") => json!({"thumbsmith": env!("CARGO_PKG_VERSION")}),
            Some("quit") => break,
            _ => json!({"error": format!("unknown request {line}")}),
        };
        reply(&stdout, answer);
    }
}

fn reply(stdout: &std::io::Stdout, value: Value) {
    let mut out = stdout.lock();
    let _ = writeln!(out, "{value}");
    let _ = out.flush();
}
