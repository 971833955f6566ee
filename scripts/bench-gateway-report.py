#!/usr/bin/env python3
"""Reads the JSON lines scripts/bench-gateway.sh collects (one `mistral-bench load --json` summary per
line, plus the fields the script adds: phase, target, mode, rate, server CPU) and either

  passes PHASE MODE RATE TARGET LIMIT_MS   exits 0 when TARGET's run at RATE held: no errors, a valid
                                            run, and (for a proxy) p99 added over direct's under LIMIT_MS
  tables LIMIT_MS                           prints the Markdown tables of the run

Usage: bench-gateway-report.py RESULTS.jsonl COMMAND ...
"""
import json
import sys


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def find(rows, phase, mode, rate, target):
    """The step's row; the last one when the step was run again."""
    found = None
    for row in rows:
        if row["phase"] == phase and row["mode"] == mode and row["rate"] == rate and row["target"] == target:
            found = row
    return found


def p(row, key, field):
    value = (row.get(key) or {}).get(field)
    return value


def held(row, direct, limit):
    """Why `row` did not hold, or None when it did."""
    if row["errors"] > 0:
        return f"{row['errors']} errors"
    if not row["valid"]:
        return "generator late"
    if row["throughput"] < 0.95 * row["rate"]:
        return f"throughput {row['throughput']:.0f}/s"
    if direct is not None and row is not direct:
        if not direct["valid"] or direct["errors"]:
            return "direct run did not hold"
        added = p(row, "latency", "p99") - p(direct, "latency", "p99")
        if added >= limit:
            return f"p99 added {added:.1f} ms"
    elif p(row, "latency", "p99") >= limit:
        return f"p99 {p(row, 'latency', 'p99'):.1f} ms"
    return None


def fmt(value):
    if value is None:
        return "-"
    return f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"


def cpu_cell(row):
    """Cores busy over the step: the generator, the emulator, the proxy, and the rest of the machine."""
    proxy = row.get("proxyCPU")
    ours = row["generatorCPU"] + row["emulatorCPU"] + (proxy or 0)
    others = max(row.get("machineCPU", ours) - ours, 0)
    return (f"{row['generatorCPU']:.2f} / {row['emulatorCPU']:.2f} / " + (f"{proxy:.2f}" if proxy is not None else "-")
            + f" / {others:.2f}")


def latency_cells(row, direct):
    cells = [fmt(p(row, "latency", "p50")), fmt(p(row, "latency", "p99"))]
    if direct is None or row is direct or p(row, "latency", "p50") is None or p(direct, "latency", "p50") is None:
        cells += ["", ""]
    else:
        cells += [fmt(p(row, "latency", "p50") - p(direct, "latency", "p50")),
                  fmt(p(row, "latency", "p99") - p(direct, "latency", "p99"))]
    return cells


def tables(rows, limit):
    steps = [r for r in rows if r["phase"] == "rates"]
    targets = list(dict.fromkeys(r["target"] for r in rows))
    for mode in dict.fromkeys(r["mode"] for r in steps):
        streaming = mode == "stream"
        what = "to the stream's end" if streaming else "to the whole body"
        print(f"\n### {mode}: latency {what}, ms from each request's scheduled start\n")
        head = "| rate (req/s) | target | p50 | p99 | added p50 | added p99 |"
        if streaming:
            head += " first event p50 | first event p99 |"
        head += " achieved (req/s) | errors | generator p99 late (ms) | CPU: generator / emulator / proxy / rest of machine (cores) | proxy peak RSS (MiB) |"
        print(head)
        print("|" + "---|" * (head.count("|") - 1))
        for rate in dict.fromkeys(r["rate"] for r in steps if r["mode"] == mode):
            direct = find(steps, "rates", mode, rate, "direct")
            for target in targets:
                row = find(steps, "rates", mode, rate, target)
                if row is None:
                    continue
                cells = [f"{rate:g}", target] + latency_cells(row, direct)
                if streaming:
                    cells += [fmt(p(row, "firstEvent", "p50")), fmt(p(row, "firstEvent", "p99"))]
                errors = str(row["errors"])
                if row["errors"]:
                    kinds = {**row["statuses"], **row["failures"]}
                    kinds.pop("200", None)
                    errors += " (" + ", ".join(f"{k}: {v}" for k, v in sorted(kinds.items())) + ")"
                late = fmt(p(row, "lateness", "p99")) + ("" if row["valid"] else " INVALID")
                cpu = cpu_cell(row)
                rss = f"{row['proxyPeakRSSKiB'] / 1024:.0f}" if row.get("proxyPeakRSSKiB") else "-"
                cells += [f"{row['throughput']:.0f}", errors, late, cpu, rss]
                print("| " + " | ".join(cells) + " |")

    search = [r for r in rows if r["phase"] == "search"]
    if search:
        print(f"\n### Highest rate held: no errors, generator on time, throughput >= 95% of offered, "
              f"p99 added over direct < {limit:g} ms (direct: own p99 < {limit:g} ms)\n")
        print("| mode | target | highest rate held (req/s) | first rate not held: why | p99 at each rate tried (ms) |")
        print("|---|---|---|---|---|")
        for mode in dict.fromkeys(r["mode"] for r in search):
            for target in targets:
                rates = sorted({r["rate"] for r in search if r["mode"] == mode and r["target"] == target})
                tried = [find(search, "search", mode, rate, target) for rate in rates]
                if not tried:
                    continue
                best, failed = None, "-"
                for row in tried:
                    why = held(row, find(search, "search", mode, row["rate"], "direct"), limit)
                    if why:
                        failed = f"{row['rate']:g}: {why}"
                        break
                    best = row["rate"]
                trail = ", ".join(f"{r['rate']:g}: {fmt(p(r, 'latency', 'p99'))}" for r in tried)
                if best is None:
                    highest = f"below {tried[0]['rate']:g}"
                elif failed == "-":
                    highest = f">= {best:g} (not tried higher)"
                else:
                    highest = f"{best:g}"
                print(f"| {mode} | {target} | {highest} | {failed} | {trail} |")

    streams = [r for r in rows if r["phase"] == "streams"]
    if streams:
        print("\n### Streams held open (memory): each stream replaced when it ends; slow emulator\n")
        print("| target | streams | in flight after the ramp (min-max) | first event p50 / p99 (ms) | stream p50 (ms) | "
              "streams completed | errors | proxy RSS before / peak (MiB) | emulator peak RSS (MiB) | CPU: generator / emulator / proxy / rest of machine (cores) |")
        print("|---|---|---|---|---|---|---|---|---|---|")
        for row in streams:
            rss = "-"
            if row.get("proxyPeakRSSKiB"):
                rss = f"{(row.get('proxyRSSBeforeKiB') or 0) / 1024:.0f} / {row['proxyPeakRSSKiB'] / 1024:.0f}"
            cpu = cpu_cell(row)
            print(f"| {row['target']} | {row['concurrentStreams']} | {row.get('inFlightMin')}-{row.get('inFlightMax')} "
                  f"| {fmt(p(row, 'firstEvent', 'p50'))} / {fmt(p(row, 'firstEvent', 'p99'))} | {fmt(p(row, 'latency', 'p50'))} "
                  f"| {row['succeeded']} | {row['errors']} | {rss} | {row['emulatorPeakRSSKiB'] / 1024:.0f} | {cpu} |")


def main():
    rows = load(sys.argv[1])
    command = sys.argv[2]
    if command == "passes":
        phase, mode, rate, target, limit = sys.argv[3], sys.argv[4], float(sys.argv[5]), sys.argv[6], float(sys.argv[7])
        row = find(rows, phase, mode, rate, target)
        direct = find(rows, phase, mode, rate, "direct")
        why = "no result" if row is None else held(row, direct, limit)
        if why:
            print(f"{target} did not hold {rate:g} req/s ({mode}): {why}", file=sys.stderr)
            sys.exit(1)
    elif command == "tables":
        tables(rows, float(sys.argv[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
