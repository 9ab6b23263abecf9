"""The avatar job from Python — 512×512 cover crop at the centre → JPEG q80 4:2:0, upright, sRGB,
metadata stripped — timed for thumbsmith, Pillow (with draft()) and pyvips (thumbnail_buffer),
against the Rust API (benches' thumbsmith-runner), plus 2-thread scaling, import time and wheel
size. A measurement for the report, never a test: `make bench` runs it (see run.sh).

Single-thread timings are pinned to CPU 0, thread scaling to CPUs 0 and 1, libraries are
interleaved run by run so background noise hits them alike, and medians are reported.
"""

import argparse
import functools
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

import thumbsmith

SIZE = 512
QUALITY = 80
CORPUS = Path.home() / ".cache" / "thumbsmith-corpus"
REPO = Path(__file__).resolve().parents[2]


def thumbsmith_job(data: bytes) -> bytes:
    return thumbsmith.process(data, width=SIZE, height=SIZE).data


def pillow_job(data: bytes) -> bytes:
    """The same job as a careful Pillow user writes it: draft, EXIF transpose, ICC → sRGB,
    flatten on white, centre fit with Lanczos, JPEG q80 4:2:0, optimised, no metadata."""
    from PIL import Image, ImageCms, ImageOps

    with Image.open(io.BytesIO(data)) as image:
        # JPEG only: decode at 1/2, 1/4 or 1/8 scale when both sides stay ≥ 512.
        image.draft("RGB", (SIZE, SIZE))
        image = ImageOps.exif_transpose(image)
        icc = image.info.get("icc_profile")
        if icc:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            image = ImageCms.profileToProfile(image, source, srgb_profile(), outputMode="RGB")
        if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
            rgba = image.convert("RGBA")
            image = Image.new("RGB", rgba.size, "white")
            image.paste(rgba, mask=rgba.getchannel("A"))
        image = image.convert("RGB")
        image = ImageOps.fit(image, (SIZE, SIZE), Image.Resampling.LANCZOS, centering=(0.5, 0.5))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=QUALITY, optimize=True, subsampling=2)
        return out.getvalue()


@functools.lru_cache(maxsize=None)
def srgb_profile():  # type: ignore[no-untyped-def]
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def pyvips_job(data: bytes) -> bytes:
    """libvips' own avatar path: shrink-on-load thumbnail (auto-rotates), sRGB, JPEG."""
    import pyvips

    image = pyvips.Image.thumbnail_buffer(
        data, SIZE, height=SIZE, crop="centre", export_profile="srgb"
    )
    if image.hasalpha():
        image = image.flatten(background=[255, 255, 255])
    return image.jpegsave_buffer(Q=QUALITY, optimize_coding=True, keep="none", subsample_mode="on")


def corpus_files(corpus: Path) -> List[Path]:
    return sorted(p for p in corpus.glob("*/*") if p.is_file())


Timer = Callable[[str, bytes], float]


def timed(job: Callable[[bytes], bytes]) -> Timer:
    """A Python library's job as a timer: the ms of one call."""

    def time_once(_path: str, data: bytes) -> float:
        started = time.perf_counter()
        job(data)
        return (time.perf_counter() - started) * 1e3

    return time_once


class RustApi:
    """The Rust API on the same bytes-in-memory job, through benches' `thumbsmith-runner --serve`,
    which times the job itself (pipes and JSON are not counted)."""

    def __init__(self, runner: Path) -> None:
        self.process = subprocess.Popen(
            [str(runner), "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.loaded = ""

    def ask(self, request: Dict[str, str]) -> Dict[str, float]:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer: Dict[str, float] = json.loads(self.process.stdout.readline())
        if "error" in answer:
            raise RuntimeError(answer["error"])
        return answer

    def __call__(self, path: str, _data: bytes) -> float:
        if path != self.loaded:  # reads the file and runs one untimed warm-up job
            self.ask({"op": "load", "path": path})
            self.loaded = path
        return self.ask({"op": "run"})["ms"]

    def close(self) -> None:
        assert self.process.stdin
        self.process.stdin.close()
        self.process.wait()


def interleaved_medians(
    timers: Dict[str, Timer], inputs: Dict[str, bytes], corpus: Path, runs: int
) -> Dict[str, Dict[str, float]]:
    """Per library, per file: the median ms of `runs` timed jobs after one untimed warm-up.
    Within a run the libraries take each file in turn, so a noisy spell hits all of them."""
    times: Dict[str, Dict[str, List[float]]] = {lib: {} for lib in timers}
    for lib, timer in timers.items():
        for name, data in inputs.items():
            try:
                timer(str(corpus / name), data)
                times[lib][name] = []
            except Exception as error:  # a library that cannot read a file is reported, not timed
                print(f"  {lib} fails on {name}: {type(error).__name__}: {error}", file=sys.stderr)
    order = list(timers)
    for _ in range(runs):
        order = order[1:] + order[:1]  # rotate which library goes first
        for name, data in inputs.items():
            for lib in order:
                if name in times[lib]:
                    times[lib][name].append(timers[lib](str(corpus / name), data))
    return {
        lib: {name: statistics.median(ms) for name, ms in per_file.items()}
        for lib, per_file in times.items()
    }


def pool_rate(workers: int, inputs: List[bytes], passes: int) -> Tuple[float, float]:
    """Jobs per second through a ThreadPoolExecutor of `workers` threads, and the CPUs the
    process kept busy meanwhile (CPU seconds per second: at most 1 if the GIL serialised it)."""
    queue = inputs * passes
    with ThreadPoolExecutor(max_workers=workers) as pool:
        started, cpu = time.perf_counter(), time.process_time()
        for _ in pool.map(thumbsmith_job, queue):
            pass
        wall = time.perf_counter() - started
        return len(queue) / wall, (time.process_time() - cpu) / wall


def runner_rate(runner: Path, files: List[Path], threads: int, passes: int) -> Tuple[float, float]:
    """The same for the Rust runner's `threads` threads (CPU from the child's rusage)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    report = json.loads(
        subprocess.run(
            [str(runner), "--runs", str(passes), "--threads", str(threads), *map(str, files)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return float(report["jobs_per_s"]), cpu / wall


def import_ms(repeats: int) -> float:
    """Cumulative `import thumbsmith` time in a fresh interpreter (python -X importtime)."""
    samples = []
    for _ in range(repeats):
        stderr = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import thumbsmith"],
            check=True,
            capture_output=True,
            text=True,
        ).stderr
        line = next(line for line in stderr.splitlines() if line.rstrip().endswith("| thumbsmith"))
        samples.append(int(line.split("|")[1]) / 1e3)
    return statistics.median(samples)


def thread_scaling(
    args: argparse.Namespace, inputs: Dict[str, bytes], names: List[str], have_runner: bool
) -> Dict[str, Optional[Dict[str, float]]]:
    """Jobs/s of 1 and 2 pool workers on CPUs 0 and 1, alternated `rounds` times; the Rust
    runner's own 1- vs 2-thread ratio alongside is what this machine allows at that moment."""
    os.sched_setaffinity(0, {0, 1})
    data = [inputs[name] for name in names]
    files = [args.corpus / name for name in names]
    python: Dict[int, List[Tuple[float, float]]] = {1: [], 2: []}
    rust: Dict[int, List[Tuple[float, float]]] = {1: [], 2: []}
    for _ in range(args.rounds):
        for workers in (1, 2):
            python[workers].append(pool_rate(workers, data, passes=2))
            if have_runner:
                rust[workers].append(runner_rate(args.runner, files, workers, passes=2))

    def summary(runs: Dict[int, List[Tuple[float, float]]]) -> Dict[str, float]:
        return {
            "1_thread_jobs_per_s": statistics.median(rate for rate, _ in runs[1]),
            "2_threads_jobs_per_s": statistics.median(rate for rate, _ in runs[2]),
            "ratio": statistics.median(b[0] / a[0] for a, b in zip(runs[1], runs[2])),
            "2_threads_cpus_busy": statistics.median(busy for _, busy in runs[2]),
        }

    scaling: Dict[str, Optional[Dict[str, float]]] = {
        "python": summary(python),
        "rust": summary(rust) if have_runner else None,
    }
    return scaling


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5, help="1- vs 2-thread alternations")
    parser.add_argument("--wheel", type=Path)
    parser.add_argument("--runner", type=Path, default=REPO / "target/release/thumbsmith-runner")
    parser.add_argument("--json", type=Path, help="also write the raw numbers here")
    parser.add_argument("--threads-only", action="store_true", help="only the 2-thread scaling")
    args = parser.parse_args()

    files = corpus_files(args.corpus)
    inputs = {p.relative_to(args.corpus).as_posix(): p.read_bytes() for p in files}
    results: Dict[str, Any] = {"files": len(files)}
    have_runner = args.runner.exists()
    if not have_runner:
        print(f"note: {args.runner} not built; Rust API figures left out", file=sys.stderr)

    if args.wheel:
        with zipfile.ZipFile(args.wheel) as wheel:
            native = sum(i.file_size for i in wheel.infolist() if i.filename.endswith(".so"))
        results["wheel"] = {"file": args.wheel.name, "bytes": args.wheel.stat().st_size,
                            "native_module_bytes": native}
    results["import_ms"] = import_ms(11)
    if args.threads_only:
        results["threads"] = thread_scaling(args, inputs, sorted(inputs), have_runner)
        print(json.dumps(results, indent=2))
        return

    os.sched_setaffinity(0, {0})  # inherited by the Rust runner started below
    timers: Dict[str, Timer] = {
        "thumbsmith": timed(thumbsmith_job),
        "pillow": timed(pillow_job),
        "pyvips": timed(pyvips_job),
    }
    rust = RustApi(args.runner) if have_runner else None
    if rust:
        timers["rust-api"] = rust
    medians = interleaved_medians(timers, inputs, args.corpus, args.runs)
    if rust:
        rust.close()
    common = sorted(set.intersection(*(set(m) for m in medians.values())))
    totals = {lib: sum(m[name] for name in common) for lib, m in medians.items()}
    results["single_thread"] = {
        "files_all_libraries_read": len(common),
        "total_of_medians_ms": totals,
        "ratio_to_thumbsmith": {lib: totals[lib] / totals["thumbsmith"] for lib in totals},
        "per_file_median_ms": medians,
    }

    results["threads"] = thread_scaling(args, inputs, common, have_runner)

    summary = {k: v for k, v in results.items() if k != "single_thread"}
    summary["single_thread"] = {
        k: v for k, v in results["single_thread"].items() if k != "per_file_median_ms"
    }
    print(json.dumps(summary, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
