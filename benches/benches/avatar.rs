//! The whole avatar job (`Options::avatar(512)`), bytes in memory → bytes in memory, on the
//! committed fixtures and, when it has been built, on every file of the real-photo corpus
//! (`../shared/corpus/fetch.sh`; `$THUMBSMITH_CORPUS` or `~/.cache/thumbsmith-corpus`).
//! The per-stage benches are the core's; this one shows what a user waits for.
//!
//! `cargo bench -p thumbsmith-benches [-- FILTER]`, e.g. `-- corpus/jpeg`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use thumbsmith::Options;

const FIXTURES: [&str; 7] = [
    "photo.jpg",
    "progressive.jpg",
    "exif-6.jpg",
    "patches-cmyk.jpg",
    "scene.png",
    "lossy.webp",
    "animated.gif",
];

fn corpus_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("THUMBSMITH_CORPUS")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache/thumbsmith-corpus"))
        })?;
    dir.join(".done").exists().then_some(dir)
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    files
}

fn bench_files(c: &mut Criterion, group_name: &str, files: &[PathBuf]) {
    let options = Options::avatar(512);
    let mut group = c.benchmark_group(group_name);
    // Whole jobs take 1–200 ms: ten samples each keep the full corpus run to a few minutes.
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for path in files {
        let input = std::fs::read(path).expect("read bench input");
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        if let Err(e) = thumbsmith::process(&input, &options) {
            eprintln!("skipping {name}: the avatar job fails: {e}");
            continue;
        }
        group.throughput(Throughput::Bytes(input.len() as u64));
        group.bench_function(name.as_ref(), |b| {
            b.iter(|| thumbsmith::process(std::hint::black_box(&input), &options))
        });
    }
    group.finish();
}

fn avatar(c: &mut Criterion) {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures");
    let files: Vec<PathBuf> = FIXTURES.iter().map(|f| fixtures.join(f)).collect();
    bench_files(c, "avatar/fixtures", &files);
    match corpus_dir() {
        Some(corpus) => {
            for group in ["jpeg", "png", "webp", "exif", "color", "odd"] {
                bench_files(
                    c,
                    &format!("avatar/corpus/{group}"),
                    &files_in(&corpus.join(group)),
                );
            }
        }
        None => eprintln!("no corpus (run ../shared/corpus/fetch.sh): fixtures only"),
    }
}

criterion_group!(benches, avatar);
criterion_main!(benches);
