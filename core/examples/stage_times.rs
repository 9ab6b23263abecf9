//! Native per-stage times of the avatar job (512×512 cover, JPEG q80) on each file named, as
//! the browser package's `bench-browser` records them in Chromium: the median of `--runs`
//! (default 5) after one warm-up, one JSON object per file on stdout.
//!
//!   cargo run --release -p thumbsmith --features stage-marks \
//!       --example stage_times -- [--runs N] photo…

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::Instant;

thread_local! {
    static STARTS: RefCell<BTreeMap<&'static str, Instant>> = RefCell::default();
    static TIMES: RefCell<BTreeMap<&'static str, f64>> = RefCell::default();
}

fn observer(name: &'static str, start: bool) {
    let now = Instant::now();
    if start {
        STARTS.with(|s| s.borrow_mut().insert(name, now));
        return;
    }
    let began = STARTS.with(|s| s.borrow()[name]);
    let ms = (now - began).as_secs_f64() * 1e3;
    TIMES.with(|t| *t.borrow_mut().entry(name).or_default() += ms);
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut runs = 5;
    if let Some(at) = args.iter().position(|a| a == "--runs") {
        runs = args[at + 1].parse().expect("--runs N");
        args.drain(at..at + 2);
    }
    thumbsmith::observe_stages(observer);
    let options = thumbsmith::Options::avatar(512);
    for path in &args {
        let input = std::fs::read(path).expect("a readable file");
        let mut per_stage: BTreeMap<&'static str, Vec<f64>> = BTreeMap::new();
        let mut totals = Vec::new();
        for run in 0..=runs {
            TIMES.with(|t| t.borrow_mut().clear());
            let began = Instant::now();
            thumbsmith::process(&input, &options).expect("the avatar job");
            let total = began.elapsed().as_secs_f64() * 1e3;
            if run == 0 {
                continue;
            }
            totals.push(total);
            TIMES.with(|t| {
                for (&name, &ms) in t.borrow().iter() {
                    per_stage.entry(name).or_default().push(ms);
                }
            });
        }
        let stages: BTreeMap<&str, f64> = per_stage
            .into_iter()
            .map(|(name, ms)| (name, median(ms)))
            .collect();
        let line = serde_json::json!({"path": path, "total": median(totals), "stages": stages});
        println!("{line}");
    }
}
