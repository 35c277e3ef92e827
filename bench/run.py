"""The load benchmark of docs/benchmarks.md: cold loads, reruns, and DuckDB alone as the floor.

    python -m bench.run [--sizes 100,1000,10000] [--pdfs 200] [--out bench/out] [--seed 7]

For each size it generates the departments into OUT/raw-N and measures, each command in its own
process: a cold `budget-warehouse load` into a fresh warehouse; the same load stage by stage
(bench.stages); a rerun with nothing changed; a rerun after adding one department; the cold
load and the added department again with DAGSTER_HOME set (Dagster keeps its runs and the file
partitions on disk, as under `make dev`; since issue 16 every row does, each size with a fresh instance); and DuckDB alone reading every file's bytes (read_csv, tab-delimited, all varchar). Peak memory is the
largest sum of the resident sets of the command's whole process tree, sampled every 0.1 s.
Then the PDF case (bench.documents): --pdfs generated budget PDFs of about 10 pages, printed by
LibreOffice, loaded cold; seconds per page (0 skips it).
The table goes to stdout, every figure to OUT/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path

from bench import generate

YEAR = 2024
_PAGE = os.sysconf("SC_PAGE_SIZE")
_FLOOR_SQL = (
    "select count(*) from read_csv($files, delim='\t', all_varchar=true, header=false, quote='', "
    "null_padding=true, strict_mode=false, auto_detect=false, columns={'c0': 'varchar', 'c1': 'varchar', "
    "'c2': 'varchar', 'c3': 'varchar', 'c4': 'varchar', 'c5': 'varchar', 'c6': 'varchar'})"
)
_FLOOR = (
    "import duckdb, glob, sys; files = sorted(glob.glob(sys.argv[1] + '/**/*.txt', recursive=True)); "
    f"print(duckdb.execute({_FLOOR_SQL!r}, {{'files': files}}).fetchone()[0])"
)


@dataclass(frozen=True, slots=True)
class Measurement:
    size: int
    scenario: str
    wall_seconds: float
    cpu_seconds: float
    peak_tree_mib: float
    exit_code: int
    ratio_to_floor: float | None = None
    # Where the load's time went, from its --json summary (`seconds`): steps, parse/validate/stage,
    # build copy, dbt build, publish, Parquet export.
    seconds: dict[str, float] | None = None
    load_average: float | None = None


def measure(command: list[str], *, env: dict[str, str] | None = None) -> tuple[float, float, float, int, str]:
    """(wall s, CPU s of the tree, peak summed RSS MiB of the tree, exit code, stdout).

    The disk's write-back is finished first, untimed: a cold load leaves gigabytes of dirty pages
    (the warehouse, its Parquet copies) that the kernel writes out over the next seconds, and the
    run measured next would otherwise pay for them (up to 2 s of a 20 s rerun at 250,000).
    """
    os.sync()
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()
    sampler = threading.Thread(target=_sample_tree, args=(process.pid, peak, done), daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    if _subreaper:
        _reap_orphans()
    if process.returncode not in (0, 3):
        sys.stderr.write(stderr.decode("utf-8", "replace")[-4000:])
    usage = _children_cpu()
    return wall, usage, peak[0] * _PAGE / 2**20, process.returncode, stdout.decode("utf-8", "replace")


_cpu_seen = 0.0
_PR_SET_CHILD_SUBREAPER = 36
_subreaper = False


def _become_subreaper() -> None:
    """Orphaned descendants (the parse workers' forkserver outlives the load's main process) are
    re-parented to this process instead of init, so that reaping them counts their CPU time."""
    import ctypes

    global _subreaper
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    _subreaper = True


def _reap_orphans() -> None:
    """Only in the benchmark's own process, whose children are all measured commands."""
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def _children_cpu() -> float:
    """CPU seconds of children waited for since the previous call (their whole trees)."""
    global _cpu_seen
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = usage.ru_utime + usage.ru_stime
    spent, _cpu_seen = total - _cpu_seen, total
    return spent


def _sample_tree(root: int, peak: list[int], done: threading.Event) -> None:
    while not done.wait(0.1):
        peak[0] = max(peak[0], _tree_pages(root))


def _tree_pages(root: int) -> int:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    fields = handle.read().rsplit(b")", 1)[1].split()
                parents[int(entry)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    pages = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/statm", "rb") as handle:
                pages += int(handle.read().split()[1])
        except (OSError, IndexError, ValueError):
            continue
    return pages


def _load(raw: Path, warehouse: Path) -> list[str]:
    return [sys.executable, "-m", "pipelines.cli", "load", "--raw-dir", str(raw), "--warehouse", str(warehouse), "--json"]


def _environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DAGSTER_HOME"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path.cwd()), env.get("PYTHONPATH")]))
    return env


def _dagster_home_environment(home: Path) -> dict[str, str]:
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    return {**_environment(), "DAGSTER_HOME": str(home)}


def _add_department(raw: Path, seed: int, index: int) -> tuple[Path, generate.GenerationSummary]:
    """Department number `index` of the same seed: the N+1st table `bench.generate` would write."""
    department = generate._department(seed, index)
    text, projects, indicators, total = generate._table(seed, YEAR, index, department)
    name = generate.FILE_NAME.format(department=department.name, year=YEAR).translate(generate.UNSAFE_FILE_CHARS)
    path = raw / str(YEAR) / name
    path.write_bytes(text.encode("utf-8"))
    return path, generate.GenerationSummary(1, projects, indicators, total)


def _plus(a: generate.GenerationSummary, b: generate.GenerationSummary) -> generate.GenerationSummary:
    return generate.GenerationSummary(
        a.files + b.files, a.projects + b.projects, a.indicators + b.indicators, a.total_amount + b.total_amount
    )


def _arrived(summary: dict, written: generate.GenerationSummary, scenario: str, size: int) -> None:
    """Every row arrives: the published counts are what the generator wrote."""
    published = (summary["departments"], summary["projects"], summary["indicators"], Decimal(str(summary["total_amount"])))
    expected = (written.files, written.projects, written.indicators, written.total_amount)
    if published != expected:
        raise SystemExit(f"{scenario} of {size}: published (departments, projects, indicators, total) {published}, "
                         f"but the generator wrote {expected}")


def ensure_raw(size: int, seed: int, raw: Path) -> generate.GenerationSummary:
    """raw/ of `size` departments of `seed`: generated once, then reused while its record says so.

    250,000 departments take minutes to write; the record beside raw/ (never inside it, where
    discovery would list it) is written last, so a generation cut short is redone.
    """
    record = raw.with_name(raw.name + ".generated.json")
    wanted = {"departments": size, "seed": seed, "years": [YEAR]}
    if record.exists() and raw.is_dir():
        kept = json.loads(record.read_text(encoding="utf-8"))
        if {key: kept.get(key) for key in wanted} == wanted:
            return generate.GenerationSummary(
                kept["files"], kept["projects"], kept["indicators"], Decimal(kept["total_amount"])
            )
    record.unlink(missing_ok=True)
    shutil.rmtree(raw, ignore_errors=True)
    summary = generate.generate(size, seed, raw, (YEAR,))
    record.write_text(
        json.dumps({**wanted, "files": summary.files, "projects": summary.projects,
                    "indicators": summary.indicators, "total_amount": str(summary.total_amount)}),
        encoding="utf-8",
    )
    return summary


def _check(summary_text: str, scenario: str, size: int) -> dict:
    summary = json.loads(summary_text)
    if not summary["success"] or summary["failed_checks"] or summary["quarantined_files"]:
        raise SystemExit(f"{scenario} of {size}: the load was not clean: {summary_text[:2000]}")
    return summary


# Above EXTRA_ROWS_MAX (--extra-max) the bench runs the cold load and the reruns only: the
# DAGSTER_HOME pair repeats the plain rows (every load keeps its run since issue 16), and the
# stage-by-stage load would be a second cold load of the same files (the cold load's summary
# times its stages). Above FLOOR_MAX it skips the floor as well.
EXTRA_ROWS_MAX = 10_000
FLOOR_MAX = 10_000


def bench_size(
    size: int, out: Path, seed: int, *, reruns_only: bool = False, extra_max: int = EXTRA_ROWS_MAX
) -> tuple[list[Measurement], dict]:
    raw, warehouse = out / f"raw-{size}", out / f"warehouse-{size}" / "budget.duckdb"
    if not reruns_only:
        shutil.rmtree(warehouse.parent, ignore_errors=True)
    elif not warehouse.exists():
        raise SystemExit(f"--reruns-only: no warehouse of {size} departments at {warehouse} (run a cold load first)")
    written = ensure_raw(size, seed, raw)
    # The CLI keeps its runs in a Dagster instance (the project's .dagster_home unless DAGSTER_HOME
    # is set): the plain rows get a fresh one of their own, never the project's.
    home = out / f"dagster-home-default-{size}"
    env = _environment_in(home) if reruns_only and home.exists() else _dagster_home_environment(home)
    results: list[Measurement] = []

    def record(scenario: str, command: list[str], run_env: dict[str, str] = env) -> str:
        load = os.getloadavg()[0]
        wall, cpu, peak, code, stdout = measure(command, env=run_env)
        seconds = None
        if command[:3] == [sys.executable, "-m", "pipelines.cli"] and stdout.strip().startswith("{"):
            seconds = json.loads(stdout).get("seconds")
        results.append(Measurement(size, scenario, round(wall, 2), round(cpu, 2), round(peak), code,
                                   seconds=seconds, load_average=round(load, 1)))
        print(f"  {size:>6} {scenario:<28} {wall:7.2f} s  cpu {cpu:7.2f} s  peak {peak:7.0f} MiB  load {load:.1f}"
              f"  {seconds or ''}", file=sys.stderr, flush=True)
        return stdout

    if size <= FLOOR_MAX:
        # At 250,000 files DuckDB's read_csv alone took 366 s on the shared machine (load 11).
        record("floor: DuckDB read_csv", [sys.executable, "-c", _FLOOR, str(raw)])
    if not reruns_only:
        _arrived(_check(record("cold load", _load(raw, warehouse)), "cold load", size), written, "cold load", size)
    else:
        # The code changed since the warehouse was built: this load rebuilds what the change needs
        # (every mart, for new dbt models), so that the rows below measure the new code's reruns.
        summary = _check(record("rerun after the code change", _load(raw, warehouse)), "rerun", size)
        _arrived(summary, written, "rerun after the code change", size)
    _arrived(_check(record("rerun, nothing changed", _load(raw, warehouse)), "rerun", size), written, "rerun", size)
    added, one = _add_department(raw, seed, size)
    try:
        summary = _check(record("rerun, one department added", _load(raw, warehouse)), "rerun", size)
        if summary["parsed_files"] != 1:
            raise SystemExit(f"adding {added.name} parsed {summary['parsed_files']} files, not 1")
        _arrived(summary, _plus(written, one), "one department added", size)
    finally:
        added.unlink()
    summary = _check(record("rerun, the department removed", _load(raw, warehouse)), "rerun", size)
    _arrived(summary, written, "the department removed", size)
    stages: dict = {}
    if size <= extra_max and not reruns_only:
        # With DAGSTER_HOME the load keeps its runs and file partitions in Dagster's SQLite storage,
        # as under `make dev`, the sensor and the schedule: that bookkeeping is measured here.
        home_env, home_warehouse = _dagster_home_environment(out / f"dagster-home-{size}"), out / f"warehouse-{size}-home" / "budget.duckdb"
        shutil.rmtree(home_warehouse.parent, ignore_errors=True)
        _check(record("cold load, DAGSTER_HOME", _load(raw, home_warehouse), home_env), "cold load", size)
        added, one = _add_department(raw, seed, size)
        summary = _check(record("one added, DAGSTER_HOME", _load(raw, home_warehouse), home_env), "rerun", size)
        if summary["parsed_files"] != 1:
            raise SystemExit(f"adding {added.name} parsed {summary['parsed_files']} files, not 1")
        added.unlink()
        shutil.rmtree(home_warehouse.parent, ignore_errors=True)
        stages_out = record(
            "cold load, stage by stage",
            [sys.executable, "-m", "bench.stages", "--raw-dir", str(raw), "--warehouse", str(out / f"stages-{size}.duckdb")],
        )
        (out / f"stages-{size}.duckdb").unlink(missing_ok=True)
        stages = json.loads(stages_out.strip().splitlines()[-1])
    floor = results[0].wall_seconds if results[0].scenario.startswith("floor") else None
    results = [
        m if m.scenario.startswith("floor") or not floor
        else Measurement(**{**asdict(m), "ratio_to_floor": round(m.wall_seconds / floor, 1)})
        for m in results
    ]
    return results, stages


def _environment_in(home: Path) -> dict[str, str]:
    return {**_environment(), "DAGSTER_HOME": str(home)}


def machine() -> dict[str, object]:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
        platform.processor(),
    )
    memory_kib = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 2**20, 1),
        "python": platform.python_version(),
        "load_average_at_start": os.getloadavg()[0],
    }


def markdown(results: list[Measurement], stages: dict[int, dict]) -> str:
    lines = [
        "| departments | run | wall (s) | CPU (s) | peak RSS (MiB) | × floor |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for m in results:
        ratio = "" if m.ratio_to_floor is None else f"{m.ratio_to_floor:g}"
        lines.append(f"| {m.size:,} | {m.scenario} | {m.wall_seconds:.2f} | {m.cpu_seconds:.2f} | {m.peak_tree_mib:,.0f} | {ratio} |")
    timed = [m for m in results if m.seconds]
    parts = list(dict.fromkeys(name for m in timed for name in m.seconds))
    if timed:
        lines += ["", "| departments | run | " + " | ".join(f"{n} (s)" for n in parts) + " | load average |",
                  "|---:|---|" + "---:|" * (len(parts) + 1)]
        for m in timed:
            cells = " | ".join(f"{m.seconds[n]:.2f}" if n in m.seconds else "" for n in parts)
            lines.append(f"| {m.size:,} | {m.scenario} | {cells} | {m.load_average} |")
    stages = {size: by_stage for size, by_stage in stages.items() if by_stage}
    if not stages:
        return "\n".join(lines)
    names = list(dict.fromkeys(name for by_stage in stages.values() for name in by_stage))
    lines += ["", "| departments | " + " | ".join(f"{n} (s)" for n in names) + " | peak after stage (MiB) |",
              "|---:|" + "---:|" * (len(names) + 1)]
    for size, by_stage in stages.items():
        seconds = " | ".join(f"{by_stage[n]['seconds']:.2f}" if n in by_stage else "" for n in names)
        peaks = ", ".join(f"{n} {by_stage[n]['peak_mib']:,.0f}" for n in names if n in by_stage)
        lines.append(f"| {size:,} | {seconds} | {peaks} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="departments per cold load (default 100,1000,10000)")
    parser.add_argument("--out", type=Path, default=Path("bench/out"), help="work folder (default bench/out)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pdfs", type=int, default=200, help="generated budget PDFs to load (default 200; 0 skips)")
    parser.add_argument(
        "--reruns-only", action="store_true",
        help="keep each size's warehouse from an earlier run and measure the reruns only (e.g. after a code change)",
    )
    parser.add_argument(
        "--extra-max", type=int, default=EXTRA_ROWS_MAX,
        help=f"largest size that also gets the DAGSTER_HOME and stage-by-stage rows (default {EXTRA_ROWS_MAX:,})",
    )
    parser.add_argument("--results", default="results.json", help="file under OUT for every figure (default results.json)")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    _become_subreaper()
    about = machine()
    results: list[Measurement] = []
    stages: dict[int, dict] = {}
    for size in sizes:
        print(f"{size} departments:", file=sys.stderr)
        measured, by_stage = bench_size(size, out, args.seed, reruns_only=args.reruns_only, extra_max=args.extra_max)
        results += measured
        stages[size] = by_stage
    table = markdown(results, stages)
    documents = None
    if args.pdfs > 0:
        from bench import documents as pdf_bench

        print(f"{args.pdfs} budget PDFs:", file=sys.stderr)
        documents = pdf_bench.bench_documents(args.pdfs, out, args.seed)
        table += "\n\n" + pdf_bench.markdown(documents)
    print(table)
    report = {"machine": about, "seed": args.seed, "results": [asdict(m) for m in results], "stages": stages,
              "documents": documents}
    name = args.results
    (out / name).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {out / name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
