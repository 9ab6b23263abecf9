"""The line protocol compare.py speaks to every library (see thumbsmith-runner --serve):
load / run / save / version / quit, one JSON object per line each way; `--once FILE` and
`--idle FILE` run one job (or none) in a fresh process for peak-RSS measurement."""
import json
import sys
import time


def main(job, versions):
    args = sys.argv[1:]
    if args and args[0] in ("--once", "--idle"):
        with open(args[1], "rb") as f:
            data = f.read()
        if args[0] == "--once":
            job(data)
        return
    data = last = None
    for line in sys.stdin:
        try:
            request = json.loads(line)
            op = request.get("op")
            if op == "quit":
                break
            if op == "load":
                with open(request["path"], "rb") as f:
                    data = f.read()
                last = job(data)  # untimed warm-up
                answer = {"bytes": len(last)}
            elif op == "run":
                t = time.perf_counter_ns()
                last = job(data)
                answer = {"ms": (time.perf_counter_ns() - t) / 1e6, "bytes": len(last)}
            elif op == "save":
                with open(request["path"], "wb") as f:
                    f.write(last)
                answer = {"ok": True}
            elif op == "version":
                answer = versions()
            else:
                answer = {"error": f"unknown request {line.strip()}"}
        except Exception as e:  # a library refusing a file is a result, not a crash
            answer = {"error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
