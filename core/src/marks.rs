//! Stage boundaries for profiling builds: with the `stage-marks` feature, an observer set by
//! [`observe`] hears the start and the end of each pipeline stage (the browser package's bench
//! build turns them into `performance.measure` entries; `examples/stage_times.rs` times them
//! natively). Without the feature [`stage`] is the closure itself, so release builds carry no
//! trace of it.

/// Called with a stage's name and `true` at its start, `false` at its end. The stages, in
/// order: `header` (sniff, header, plan), `decode`, `colour` (to sRGB before the resize, or after
/// it), `resize`, `orient` (orientation, letterbox, flatten), `encode`. They do not nest, except
/// `ycbcr` (a JPEG's planes to RGB), which runs inside `resize`.
#[cfg(feature = "stage-marks")]
pub type Observer = fn(&'static str, bool);

#[cfg(feature = "stage-marks")]
static OBSERVER: std::sync::OnceLock<Observer> = std::sync::OnceLock::new();

/// Sets the process's observer; the first one set stays (later calls are ignored).
#[cfg(feature = "stage-marks")]
pub fn observe(observer: Observer) {
    let _ = OBSERVER.set(observer);
}

/// Runs `work` as the stage `name`, between the observer's two calls.
#[inline(always)]
pub(crate) fn stage<T>(name: &'static str, work: impl FnOnce() -> T) -> T {
    #[cfg(feature = "stage-marks")]
    if let Some(observer) = OBSERVER.get() {
        observer(name, true);
        let result = work();
        observer(name, false);
        return result;
    }
    let _ = name;
    work()
}
