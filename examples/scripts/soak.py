"""Memory over time: many avatar jobs in one Node process (bindings-node, through the handler's
lambda-thumbnail/avatar.js) and one Python process (bindings-python), RSS sampled as they go.

    python scripts/soak.py --jobs 10000            # over the corpus (make -C examples soak)
    python scripts/soak.py --jobs 1000 --fixtures  # the short one CI runs (e2e/tests/test_memory.py)

Inputs cycle: every corpus file the flow takes (≤ 10 MiB, ≤ 50 MP, a format thumbsmith reads;
~/.cache/thumbsmith-corpus, shared/corpus/fetch.sh), or the bundled fixtures and sample photo,
plus files every job must refuse (a pixel bomb, a truncated JPEG, text), so the error paths are
soaked too. RSS is read every `--every` jobs; the first `--warmup` share of the jobs (at least
two passes over the inputs) is warm-up, and a least-squares line through the rest gives the
slope in KiB per 1000 jobs. Flat means the slope stays under `--max-slope` (256 KiB per 1000
jobs: a leak of 256 bytes a job). Exit status 1 if either process is not flat.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent
REPO = EXAMPLES.parent
FIXTURES = REPO / "core" / "tests" / "fixtures"
CORPUS = Path(os.environ.get("THUMBSMITH_CORPUS", Path.home() / ".cache" / "thumbsmith-corpus"))
BAD = ["bomb.png", "truncated.jpg", "text.txt"]
MAX_BYTES = 10 << 20
MAX_PIXELS = 50_000_000


def inputs(fixtures: bool) -> list[Path]:
    import thumbsmith

    if fixtures:
        good = [EXAMPLES / "assets" / "sample-exif6.jpg"] + sorted(
            p for p in FIXTURES.iterdir() if p.suffix in (".jpg", ".png", ".webp", ".gif") and p.name not in BAD
        )
    else:
        good = sorted(p for p in CORPUS.rglob("*") if p.is_file())
    usable = []
    for path in good:
        data = path.read_bytes()
        try:
            meta = thumbsmith.metadata(data)
        except thumbsmith.Error:
            continue
        if len(data) <= MAX_BYTES and meta.width * meta.height <= MAX_PIXELS:
            usable.append(path)
    if not usable:
        raise FileNotFoundError(f"no usable inputs in {CORPUS} (run shared/corpus/fetch.sh, or use --fixtures)")
    return usable + [FIXTURES / name for name in BAD]


def python_worker(jobs: int, every: int, paths: list[str]):
    """The Python half: run in a process of its own (`--python-worker`), same lines as Node's."""
    import thumbsmith

    data = [Path(p).read_bytes() for p in paths]

    def rss_kb() -> int:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    failures = output = 0
    started = time.monotonic()
    print(json.dumps({"jobs": 0, "rss_kb": rss_kb()}), flush=True)
    for n in range(1, jobs + 1):
        try:
            result = thumbsmith.process(data[(n - 1) % len(data)], width=512, height=512, content_hash=True,
                                        max_input_bytes=MAX_BYTES, max_input_pixels=MAX_PIXELS)
            output += len(result.data)
        except thumbsmith.Error:
            failures += 1
        if n % every == 0:
            print(json.dumps({"jobs": n, "rss_kb": rss_kb()}), flush=True)
    print(json.dumps({"done": jobs, "failures": failures, "output_bytes": output, "seconds": time.monotonic() - started}), flush=True)


def slope_kb_per_1000(samples: list[tuple[int, int]]) -> float:
    n = len(samples)
    mean_x = sum(x for x, _ in samples) / n
    mean_y = sum(y for _, y in samples) / n
    var = sum((x - mean_x) ** 2 for x, _ in samples)
    return 1000 * sum((x - mean_x) * (y - mean_y) for x, y in samples) / var if var else 0.0


def soak(language: str, jobs: int, every: int, paths: list[Path], warmup: float, node_gc: bool = False) -> dict:
    if language == "node":
        argv = ["node", *(["--expose-gc"] if node_gc else []), str(EXAMPLES / "scripts" / "soak-worker.js"), str(jobs), str(every)]
    else:
        argv = [sys.executable, str(Path(__file__).resolve()), "--python-worker", str(jobs), str(every)]
    done = subprocess.run(argv, input="\n".join(map(str, paths)) + "\n", capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{language} worker failed ({done.returncode}):\n{done.stderr[-3000:]}")
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    samples = [(line["jobs"], line["rss_kb"]) for line in lines if "rss_kb" in line]
    summary = next(line for line in lines if "done" in line)
    warm = max(int(jobs * warmup), 2 * len(paths))
    after = [(x, y) for x, y in samples if x >= warm]
    if len(after) < 3:
        raise ValueError(f"{len(after)} samples after a warm-up of {warm} jobs: run more jobs or sample more often")
    return {
        "language": language + (" (full GC before each sample)" if node_gc and language == "node" else ""),
        "jobs": jobs,
        "inputs": len(paths),
        "failures": summary["failures"],
        "seconds": round(summary["seconds"], 1),
        "warmup_jobs": warm,
        "rss_start_mib": round(samples[0][1] / 1024, 1),
        "rss_after_warmup_mib": round(after[0][1] / 1024, 1),
        "rss_end_mib": round(samples[-1][1] / 1024, 1),
        "rss_max_after_warmup_mib": round(max(y for _, y in after) / 1024, 1),
        "rss_min_after_warmup_mib": round(min(y for _, y in after) / 1024, 1),
        "slope_kib_per_1000_jobs": round(slope_kb_per_1000(after), 1),
        "samples": samples,
    }


def format_result(r: dict) -> str:
    return (f"{r['language']:<6} {r['jobs']} jobs over {r['inputs']} inputs ({r['failures']} refused) in {r['seconds']}s: "
            f"RSS {r['rss_start_mib']} MiB at start, {r['rss_after_warmup_mib']} after {r['warmup_jobs']} jobs of warm-up, "
            f"{r['rss_min_after_warmup_mib']}–{r['rss_max_after_warmup_mib']} after, {r['rss_end_mib']} at the end; "
            f"slope {r['slope_kib_per_1000_jobs']:+.1f} KiB per 1000 jobs")


def main(argv: list[str]) -> int:
    if argv[:1] == ["--python-worker"]:
        python_worker(int(argv[1]), int(argv[2]), sys.stdin.read().split())
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--every", type=int, default=0, help="sample every N jobs (default: jobs / 100)")
    parser.add_argument("--warmup", type=float, default=0.2, help="share of the jobs that is warm-up")
    parser.add_argument("--fixtures", action="store_true", help="the bundled fixtures instead of the corpus")
    parser.add_argument("--max-slope", type=float, default=256, help="KiB per 1000 jobs")
    parser.add_argument("--language", choices=("node", "python", "both"), default="both")
    parser.add_argument("--node-gc", action="store_true", help="Node: a full GC before each sample (what is held, "
                        "not what V8 has yet to collect)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    paths = inputs(args.fixtures)
    every = args.every or max(1, args.jobs // 100)
    languages = ["node", "python"] if args.language == "both" else [args.language]
    results = []
    for language in languages:
        result = soak(language, args.jobs, every, paths, args.warmup, args.node_gc)
        print(format_result(result), flush=True)
        results.append(result)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    steep = [r["language"] for r in results if r["slope_kib_per_1000_jobs"] > args.max_slope]
    if steep:
        print(f"not flat after warm-up: {', '.join(steep)} (more than {args.max_slope} KiB per 1000 jobs)")
    return 1 if steep else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
