//! Resource bombs: small files that declare or inflate to far more than they hold, or ask for
//! far more work than their size suggests. Each is refused with a typed error (`LimitExceeded`
//! where an option can raise the limit) or handled within bounds that do not grow with what the
//! bomb expands to: the job's peak heap (counted here by a global allocator) and the work done
//! (counted where the decoder reports it, otherwise the thread's CPU time).
//!
//! Each bomb is generated here; with `THUMBSMITH_BOMBS_DIR` set, each is also written there
//! (to measure it with the release CLI).

#[path = "../common/mod.rs"]
mod common;
mod gif;
mod jpeg;
mod metadata;
mod png;
mod webp;

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::sync::Mutex;
use std::time::Duration;

use common::*;
use thumbsmith::{process, Error, Options};

/// The system allocator, counting the bytes live now and the most live since the last reset.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to `System`, which upholds `GlobalAlloc`'s
// contract; the counters are only statistics and never influence an allocation.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's `layout` is passed through as `GlobalAlloc::alloc` requires.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Relaxed) + layout.size();
            PEAK.fetch_max(live, Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout` (the caller's contract).
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// One measured job at a time: the counters are process-wide.
static MEASURING: Mutex<()> = Mutex::new(());

/// What a job cost: the most heap it held above what was live when it started, and the CPU
/// time of the thread that ran it (`None` where the platform does not say).
#[derive(Debug)]
struct Cost {
    peak: usize,
    cpu: Option<Duration>,
}

/// `job`'s result and cost.
fn measure<T>(job: impl FnOnce() -> T) -> (T, Cost) {
    let _one = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    let before = LIVE.load(Relaxed);
    PEAK.store(before, Relaxed);
    let cpu_before = thread_cpu();
    let result = job();
    let cpu = thread_cpu()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    let peak = PEAK.load(Relaxed).saturating_sub(before);
    (result, Cost { peak, cpu })
}

/// The job's result and the most heap it held above what was live when it started.
fn measured(input: &[u8], options: &Options) -> (thumbsmith::Result<thumbsmith::Output>, usize) {
    let (result, cost) = measure(|| process(input, options));
    (result, cost.peak)
}

/// The CPU time this thread has run (Linux: the scheduler's own count, in nanoseconds).
fn thread_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// The bound every bomb's job stays within when it is not refused outright: the (31)
/// "2 s of CPU", measured in the test profile (less optimised than a release build, so the
/// bound is generous there), and 256 MiB of heap above the pixels the job decodes (`pixels`
/// bytes).
fn assert_within_bounds(what: &str, cost: &Cost, pixels: usize) {
    eprintln!("{what}: {cost:?}");
    assert!(
        cost.peak <= pixels + 256 * MIB,
        "{what}: peak heap {} bytes, {pixels} of them pixels",
        cost.peak
    );
    if let Some(cpu) = cost.cpu {
        assert!(cpu < Duration::from_secs(2), "{what}: {cpu:?} of CPU");
    }
}

/// Writes `bytes` to `$THUMBSMITH_BOMBS_DIR/name` when that is set (to measure the bomb with
/// the release CLI); the tests themselves never read it back.
fn keep(name: &str, bytes: &[u8]) {
    if let Some(dir) = std::env::var_os("THUMBSMITH_BOMBS_DIR") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}

const MIB: usize = 1024 * 1024;

/// `mib` MiB of zeros, zlib-compressed, streamed (the zeros are never held whole).
fn zlib_zeros(mib: usize) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; MIB];
    for _ in 0..mib {
        z.write_all(&zeros).unwrap();
    }
    z.finish().unwrap()
}

fn png_chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
    out
}

/// A 16×16 gray PNG with `extra` chunks between its header and its pixels.
fn png_with(extra: &[Vec<u8>]) -> Vec<u8> {
    let plain = encode_png(16, 16, 1, &[128; 256]);
    let ihdr_end = 8 + 25;
    let mut out = plain[..ihdr_end].to_vec();
    for chunk in extra {
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&plain[ihdr_end..]);
    out
}
