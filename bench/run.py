"""Measure the lab: start-up time, latency through the proxy, throughput, image sizes and memory.

Usage:
    .venv/bin/python bench/run.py                 # everything (needs Docker and built images)
    .venv/bin/python bench/run.py --no-docker     # latency (http and https) and throughput only, processes on 127.0.0.1

It starts the lab's processes with local_lab.py beside it (the stack tier uses it too)
and the same containers as the compose tier, under its own project name and
ports. It prints every figure; it asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import requests

# The lab's own processes, as the stack tier starts them too (local_lab.py, beside this file).
from local_lab import ROOT, Stack, free_port, port_open, start_app, start_proxy, stop, wait_until

PROJECT = "cookielab-bench"


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def latencies(urls: dict[str, str], count: int, warmup: int = 200) -> dict[str, list[float]]:
    """Seconds per GET for each URL, one keep-alive client each, interleaved request by request.

    Interleaving (in a rotating order) spreads the machine's drift and noise
    over every path alike, so the ratios between paths from one run hold.
    """
    sessions = {name: requests.Session() for name in urls}
    samples: dict[str, list[float]] = {name: [] for name in urls}
    names = list(urls)
    try:
        for i in range(warmup + count):
            for name in names[i % len(names) :] + names[: i % len(names)]:
                start = time.perf_counter()
                sessions[name].get(urls[name], timeout=10).raise_for_status()
                if i >= warmup:
                    samples[name].append(time.perf_counter() - start)
    finally:
        for session in sessions.values():
            session.close()
    return samples


def interleaved_rounds(
    series: dict[str, tuple[str, str]],
    rounds: int,
    each: int,
    verify: str | bool = True,
    warmup: int = 1,
    budget_s: float = 300,
) -> tuple[dict[str, list[float]], int]:
    """Seconds per GET for each series, name -> (url, way), in alternating rounds.

    Every round sends `each` requests per series, way "keep" over one keep-alive
    session per series (kept for the whole run), way "new" with a fresh session
    per request, so that a new TCP connection, and for https the TLS handshake,
    counts in every request. The order is reversed every other round, so that
    drift falls on every series alike. The first `warmup` rounds are not
    counted; no round starts after budget_s seconds. Returns the samples by
    series and the number of rounds counted.
    """
    sessions = {name: requests.Session() for name in series}
    samples: dict[str, list[float]] = {name: [] for name in series}
    names = list(series)
    counted = 0
    deadline = time.monotonic() + budget_s
    try:
        for r in range(warmup + rounds):
            if time.monotonic() > deadline:
                break
            for name in names if r % 2 == 0 else names[::-1]:
                url, way = series[name]
                for _ in range(each):
                    start = time.perf_counter()
                    if way == "keep":
                        resp = sessions[name].get(url, timeout=10, verify=verify)
                    else:
                        with requests.Session() as session:
                            resp = session.get(url, timeout=10, verify=verify)
                    elapsed = time.perf_counter() - start
                    resp.raise_for_status()
                    if r >= warmup:
                        samples[name].append(elapsed)
            counted += r >= warmup
    finally:
        for session in sessions.values():
            session.close()
    return samples, counted


# The four series of the https measurement: (scheme, way), way "keep" for one
# keep-alive session per scheme, "new" for a new connection per request.
TLS_SERIES = [("http", "keep"), ("https", "keep"), ("http", "new"), ("https", "new")]


def tls_latencies(stack: Stack, rounds: int, each: int) -> tuple[dict[str, list[float]], int]:
    """Seconds per GET / through one proxy over http and over https (its one port), in alternating rounds."""
    urls = {"http": f"{stack.target}/", "https": f"{stack.https}/"}
    # The lab's CA: https is verified, never trusted blindly.
    series = {f"{scheme}_{way}": (urls[scheme], way) for scheme, way in TLS_SERIES}
    return interleaved_rounds(series, rounds, each, verify=str(stack.ca))


@contextmanager
def app_and_two_proxies() -> Iterator[tuple[int, Stack, Stack]]:
    """gunicorn, then a plain mitmweb and the lab's mitmweb before it, on loopback; stopped afterwards.
    Yields the app's port and the two proxies' stacks (plain, lab)."""
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        started = []
        try:
            app, app_port = start_app(tmp)
            started.append(app)
            plain, plain_stack = start_proxy(tmp, app_port, addon=False)
            started.append(plain)
            proxy, lab_stack = start_proxy(tmp, app_port)
            started.append(proxy)
            yield app_port, plain_stack, lab_stack
        finally:
            for proc in reversed(started):
                stop(proc)


def proxy_overhead(runs: int, rounds: int, each: int) -> dict:
    """The lab's proxy against plain mitmweb: for each of `runs` fresh starts of the app, a plain mitmweb and
    the lab's mitmweb (grader and recorder loaded), the ratio of their p50s over `rounds` interleaved rounds
    of `each` requests, with keep-alive clients and with a new connection per request. The statistic is
    the median of the runs' ratios."""
    ratios: dict[str, list[float]] = {"keep": [], "new": []}
    p50s: dict[str, list[float]] = {f"{proxy}_{way}": [] for proxy in ("plain", "lab") for way in ("keep", "new")}
    for _ in range(runs):
        with app_and_two_proxies() as (_, plain, lab):
            targets = {"plain": f"{plain.target}/", "lab": f"{lab.target}/"}
            series = {f"{p}_{way}": (targets[p], way) for way in ("keep", "new") for p in ("plain", "lab")}
            samples, _ = interleaved_rounds(series, rounds, each)
        for name, values in samples.items():
            p50s[name].append(percentile(values, 50) * 1000)
        for way, values in ratios.items():
            values.append(percentile(samples[f"lab_{way}"], 50) / percentile(samples[f"plain_{way}"], 50))
    return {
        "runs": runs,
        "rounds": rounds,
        "each": each,
        "p50_ms": p50s,
        "ratios": ratios,
        "median_ratio": {way: statistics.median(values) for way, values in ratios.items()},
    }


def tls_version(stack: Stack) -> str:
    """The TLS version and cipher the proxy's https port agrees with a default client."""
    context = ssl.create_default_context(cafile=str(stack.ca))
    with (
        socket.create_connection(("127.0.0.1", stack.proxy_port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        return f"{tls.version()}, {tls.cipher()[0]}"


def throughput(url: str, clients: int, each: int) -> tuple[float, int]:
    """Requests per second with concurrent clients; and how many answered 200."""
    ok = []

    def client() -> None:
        with requests.Session() as session:
            ok.extend(1 for _ in range(each) if session.get(url, timeout=10).status_code == 200)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    return clients * each / (time.perf_counter() - start), len(ok)


def bench_processes(count: int, clients: int, each: int, tls_rounds: int = 20, tls_each: int = 60) -> dict:
    """Items 2 and 3: gunicorn alone, plain mitmweb, and the lab's mitmweb with the addon, on loopback.

    Also the lab's mitmweb over https against http, on its one port.
    """
    with app_and_two_proxies() as (app_port, plain, lab):
        results = latencies(
            {"direct": f"http://127.0.0.1:{app_port}/", "plain": f"{plain.target}/", "lab": f"{lab.target}/"}, count
        )
        tls_samples, tls_counted = tls_latencies(lab, tls_rounds, tls_each)
        negotiated = tls_version(lab)
        lines_before = len(lab.records())
        rate, answered = throughput(f"{lab.target}/", clients, each)
        lines = len(lab.records()) - lines_before
    figures = {
        name: {"p50_ms": percentile(s, 50) * 1000, "p99_ms": percentile(s, 99) * 1000} for name, s in results.items()
    }
    tls = {
        name: {"p50_ms": percentile(s, 50) * 1000, "p99_ms": percentile(s, 99) * 1000, "samples": len(s)}
        for name, s in tls_samples.items()
        if s
    }
    return {
        "latency": figures,
        "ratio_plain_to_direct_p50": figures["plain"]["p50_ms"] / figures["direct"]["p50_ms"],
        "ratio_lab_to_plain_p50": figures["lab"]["p50_ms"] / figures["plain"]["p50_ms"],
        "ratio_lab_to_direct_p50": figures["lab"]["p50_ms"] / figures["direct"]["p50_ms"],
        "throughput": {
            "clients": clients,
            "requests": clients * each,
            "answered_200": answered,
            "per_second": rate,
            "capture_lines": lines,
        },
        "https": {
            "rounds": tls_counted,
            "each": tls_each,
            "tls": negotiated,
            "latency": tls,
            "ratio_https_to_http_p50_keep": tls["https_keep"]["p50_ms"] / tls["http_keep"]["p50_ms"] if tls else None,
            "ratio_https_to_http_p50_new": tls["https_new"]["p50_ms"] / tls["http_new"]["p50_ms"] if tls else None,
            "new_connection_extra_ms_p50": tls["https_new"]["p50_ms"] - tls["http_new"]["p50_ms"] if tls else None,
        },
    }


def compose(env: dict, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["docker", "compose", "-p", PROJECT, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
        stdin=subprocess.DEVNULL,
    )


def container_rss_mib(container: str) -> float:
    """Resident memory of every process in a container, summed, from /proc on this host."""
    top = subprocess.run(["docker", "top", container, "-eo", "pid"], capture_output=True, text=True, check=True).stdout
    total_kib = 0
    for pid in top.split()[1:]:
        status = Path(f"/proc/{pid}/status").read_text()
        total_kib += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
    return total_kib / 1024


def bench_docker(runs: int, flows: int) -> dict:
    """Items 1, 4 and 5: start-up time, image sizes, memory idle and after many flows."""
    env = {
        **os.environ,
        "LAB_PROXY_PORT": str(free_port()),
        "LAB_WEB_PORT": str(free_port()),
        "LAB_SITE_PORT": str(free_port()),
        "LAB_PROGRESS_PORT": str(free_port()),
    }
    subprocess.run(
        [str(ROOT / "scripts" / "build-images"), "-p", PROJECT],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )
    sizes = {}
    for service in ("app", "proxy", "site", "client"):
        image = json.loads(
            subprocess.run(
                ["docker", "image", "inspect", f"{PROJECT}-{service}"], capture_output=True, text=True, check=True
            ).stdout
        )[0]
        sizes[service] = image["Size"] / 1e6

    startups = []
    try:
        for _ in range(runs):
            compose(env, "down", "-v")
            start = time.perf_counter()
            compose(env, "up", "-d")
            compose(env, "wait", "client")
            startups.append(time.perf_counter() - start)

        # The guide stops on SIGTERM by itself (exit 0), not after Docker's 10 s and a kill.
        start = time.perf_counter()
        compose(env, "stop", "progress")
        guide_stop = time.perf_counter() - start
        compose(env, "start", "progress")

        ids = {s: compose(env, "ps", "-q", s).stdout.strip() for s in ("app", "proxy", "site", "progress")}
        time.sleep(2)  # let the start-up settle before reading idle memory
        idle = {s: container_rss_mib(c) for s, c in ids.items()}
        client_peak = compose(
            env,
            "run",
            "--rm",
            "-T",
            "--entrypoint",
            "python",
            "client",
            "-c",
            "import resource, sys; from cookie_client.cli import main; main(['seed', '--json']);"
            " print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)",
        ).stderr
        url = f"http://127.0.0.1:{env['LAB_PROXY_PORT']}/"
        wait_until(lambda: port_open(int(env["LAB_PROXY_PORT"])), 30, "the lab's proxy port")
        throughput(url, 8, flows // 8)
        time.sleep(1)
        after = container_rss_mib(ids["proxy"])
    finally:
        subprocess.run(
            ["docker", "compose", "-p", PROJECT, "down", "-v"], check=False, cwd=ROOT, env=env, capture_output=True
        )
    growth_kib = (after - idle["proxy"]) * 1024 / flows
    return {
        "startup_s": {"runs": startups, "median": statistics.median(startups)},
        "guide_stop_s": guide_stop,
        "image_mb": sizes,
        "idle_rss_mib": {**idle, "client_peak": int(client_peak.strip().splitlines()[-1]) / 1024},
        "proxy_after_flows": {
            "flows": flows,
            "rss_mib": after,
            "growth_kib_per_flow": growth_kib,
            "flows_to_1g_limit": int((1024 - idle["proxy"]) * 1024 / growth_kib) if growth_kib > 0 else None,
        },
    }


def report(results: dict) -> None:
    print(
        f"Cookie Lab benchmark, {date.today()}, {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    o = results.get("overhead")
    if o:
        print(
            f"\nThe lab's proxy against plain mitmweb: {o['runs']} fresh starts, each {o['rounds']} interleaved rounds"
            f" of {o['each']} requests per series;\np50 ratio lab/plain per start, and their median (target <= 1.05):"
        )
        for way, label in (("keep", "keep-alive clients"), ("new", "a new connection per request")):
            runs = ", ".join(f"{r:.3f}" for r in o["ratios"][way])
            plain = ", ".join(f"{v:.2f}" for v in o["p50_ms"][f"plain_{way}"])
            lab = ", ".join(f"{v:.2f}" for v in o["p50_ms"][f"lab_{way}"])
            print(f"  {label:<30} {runs}  median {o['median_ratio'][way]:.3f}  (p50 ms plain {plain}; lab {lab})")
    p = results.get("processes")
    if p:
        print("\nLatency of GET /, one keep-alive client per path, requests interleaved (ms):")
        print(f"  {'path':<28}{'p50':>8}{'p99':>8}")
        for name, label in (
            ("direct", "gunicorn directly"),
            ("plain", "mitmweb, no addon"),
            ("lab", "mitmweb + grader + logger"),
        ):
            print(f"  {label:<28}{p['latency'][name]['p50_ms']:>8.2f}{p['latency'][name]['p99_ms']:>8.2f}")
        print(
            f"  p50 ratios: plain/direct {p['ratio_plain_to_direct_p50']:.2f}, lab/plain {p['ratio_lab_to_plain_p50']:.2f}"
            f" (one run; the target is the median above), lab/direct {p['ratio_lab_to_direct_p50']:.2f}"
        )
        h = p["https"]
        if h["latency"]:
            print(
                f"\nLatency of GET / through the lab's proxy (grader + logger), http against https on its one port"
                f" ({h['tls']}),\n{h['rounds']} alternating rounds of {h['each']} requests per row (ms):"
            )
            print(f"  {'way':<40}{'p50':>8}{'p99':>8}")
            for name, label in (
                ("http_keep", "http, one keep-alive session"),
                ("https_keep", "https, one keep-alive session"),
                ("http_new", "http, new connection per request"),
                ("https_new", "https, new connection per request"),
            ):
                print(f"  {label:<40}{h['latency'][name]['p50_ms']:>8.2f}{h['latency'][name]['p99_ms']:>8.2f}")
            print(
                f"  p50 ratios https/http: keep-alive {h['ratio_https_to_http_p50_keep']:.2f},"
                f" new connection per request {h['ratio_https_to_http_p50_new']:.2f};"
                f" a new https connection costs {h['new_connection_extra_ms_p50']:.2f} ms more than a new http one"
            )
        else:
            print("\nhttps against http: no round finished within its time budget")
        t = p["throughput"]
        print(
            f"\nThroughput, {t['clients']} clients through the lab's proxy: {t['per_second']:.0f} requests/s;"
            f" {t['answered_200']} of {t['requests']} answered 200; capture lines written: {t['capture_lines']}"
        )
    d = results.get("docker")
    if d:
        runs = ", ".join(f"{s:.1f}" for s in d["startup_s"]["runs"])
        print(
            f"\nStart-up, `docker compose up -d` until the seed table is printed: median {d['startup_s']['median']:.1f} s"
            f" (runs: {runs}; target <= 3 s)"
        )
        print(f"The guide's `docker compose stop`: {d['guide_stop_s']:.1f} s (SIGTERM, exit 0; Docker kills at 10 s)")
        print(
            "Image sizes (MB, uncompressed): "
            + ", ".join(f"{k} {v:.0f}" for k, v in d["image_mb"].items())
            + " (targets: app, site and client <= 150, proxy <= 250)"
        )
        idle = d["idle_rss_mib"]
        stack = idle["app"] + idle["proxy"] + idle["site"] + idle["progress"]
        print(
            f"Resident memory idle (MiB): app {idle['app']:.0f}, proxy {idle['proxy']:.0f}, site {idle['site']:.0f},"
            f" progress board {idle['progress']:.0f};"
            f" the whole stack {stack:.0f}; client peak during a run {idle['client_peak']:.0f}"
        )
        f = d["proxy_after_flows"]
        print(
            f"Proxy after {f['flows']} flows: {f['rss_mib']:.0f} MiB, {f['growth_kib_per_flow']:.1f} KiB per flow;"
            f" about {f['flows_to_1g_limit']} flows fit under the proxy's 1 GiB limit"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-docker", action="store_true", help="skip start-up, image sizes and memory")
    parser.add_argument("--requests", type=int, default=2000, help="latency samples per path (default 2000)")
    parser.add_argument("--each", type=int, default=250, help="requests per client in the throughput run (default 250)")
    parser.add_argument("--tls-rounds", type=int, default=20, help="alternating rounds of http and https (default 20)")
    parser.add_argument(
        "--tls-each",
        type=int,
        default=60,
        help="requests per scheme and way in each round of http and https (default 60)",
    )
    parser.add_argument("--runs", type=int, default=5, help="start-ups to take the median of (default 5)")
    parser.add_argument(
        "--flows", type=int, default=5000, help="flows sent before measuring the proxy's memory (default 5000)"
    )
    parser.add_argument(
        "--overhead-runs",
        type=int,
        default=3,
        help="fresh starts for the lab's proxy against plain mitmweb, 0 to skip (default 3)",
    )
    parser.add_argument(
        "--overhead-rounds", type=int, default=20, help="interleaved rounds per start in that measurement (default 20)"
    )
    parser.add_argument(
        "--overhead-each", type=int, default=60, help="requests per series and round in that measurement (default 60)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    results = {"processes": bench_processes(args.requests, 8, args.each, args.tls_rounds, args.tls_each)}
    if args.overhead_runs:
        results["overhead"] = proxy_overhead(args.overhead_runs, args.overhead_rounds, args.overhead_each)
    if not args.no_docker:
        results["docker"] = bench_docker(args.runs, args.flows)
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
