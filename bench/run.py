"""`make bench`: every benchmark, or the parts named, with the ratio lines at the end.

    bash scripts/bench.sh                      # everything (about 15 minutes, more for faults)
    bash scripts/bench.sh pages memory         # a subset: pages, pages-1m, memory, sweep, faults
    bash scripts/bench.sh pages --only queue   # options after a part go to that part
    bash scripts/bench.sh faults --submissions 3000

Parts:
  pages     bench/pages.py at N = 100,000 account requests (the hot pages beside their floors)
  pages-1m  the same at N = 1,000,000 (a database of its own, `<name>_1m`)
  memory    bench/memory.py: the 10,000-row bulk intake and the 100,000-row exports, peak RSS
  sweep     bench/sweep.py: the deadline sweep at 1,000,000 open steps, 100 due
  faults    bench/faults.py: 10,000 BM02 under every fault (its own PostgreSQL, Redis, SMTP)

The pages, memory and sweep parts use DATABASE_URL and REDIS_URL (default: the local servers,
databases portal_bench and portal_bench_1m, Redis db 13); their data sets are generated once by
bench/data.py and kept. Each part's output is printed as it runs, then the summary: the lines
`queue/floor p50=…×`, `apply/bare p50=…×`, `sweep p50/p95 …`, and every other ratio.
"""

import os
import platform
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTS = ["pages", "pages-1m", "memory", "sweep", "faults"]


def machine() -> str:
    cpu = ""
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as info:
        ram_gb = int(info.readline().split()[1]) / 1024 / 1024
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"machine: {cpu}, {os.cpu_count()} cores, {ram_gb:.0f} GB RAM, load average {load}; "
        f"Python {platform.python_version()}"
    )


def run(part: str, args: list[str], env: dict) -> list[str]:
    script = {
        "pages": "bench/pages.py",
        "pages-1m": "bench/pages.py",
        "memory": "bench/memory.py",
        "sweep": "bench/sweep.py",
        "faults": "bench/faults.py",
    }[part]
    env = dict(env)
    if part == "pages-1m":
        env["DATABASE_URL"] = env["DATABASE_URL"] + "_1m"
        args = ["--requests", "1000000", *args]
    print(f"\n=== {part}: {script} {' '.join(args)}", flush=True)
    proc = subprocess.Popen(
        [sys.executable, script, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    for line in proc.stdout:
        print(line, end="", flush=True)
        lines.append(line.rstrip("\n"))
    if proc.wait():
        print(f"=== {part} failed (exit {proc.returncode})", flush=True)
    return lines


def summary(part: str, lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        if re.match(r"^\S+/(floor|bare)\s+p50=", line):
            out.append(f"[{part}] {line}")
        elif line.startswith("memory "):
            out.append(line)
        elif part == "sweep" and re.match(r"^sweep, \d+ due of", line):
            p50, p95 = re.search(r"p50\s+([\d.]+) ms\s+p95\s+([\d.]+) ms", line).groups()
            status = "ok" if float(p95) <= 100 else "OVER the 100 ms target"
            out.append(f"sweep p50/p95 {p50}/{p95} ms  (p95 target <= 100 ms: {status})  {line}")
    return out


def main():
    argv = sys.argv[1:]
    chosen: list[tuple[str, list[str]]] = []
    for arg in argv:
        if arg in PARTS:
            chosen.append((arg, []))
        elif chosen:
            chosen[-1][1].append(arg)
        else:
            raise SystemExit(f"unknown part {arg!r}: choose among {PARTS} (see bench/run.py)")
    chosen = chosen or [(p, []) for p in PARTS]
    env = {**os.environ}
    env.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench")
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
    header = machine()
    print(header, flush=True)
    results = []
    for part, args in chosen:
        results += summary(part, run(part, args, env))
    print("\n=== summary", flush=True)
    print(header)
    for line in results:
        print(line)


if __name__ == "__main__":
    main()
