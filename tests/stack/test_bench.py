"""The benchmark's loopback part runs in the stack tier: it must report every figure and lose no capture line.

No timing is asserted here: speed targets live in the benchmark's printed figures.
"""

import json
import subprocess
import sys

import pytest
from local_lab import ROOT

pytestmark = pytest.mark.stack


def test_benchmark_without_docker_reports_latency_https_and_throughput(tmp_path):
    figures = tmp_path / "bench.json"
    proc = subprocess.run(
        [
            sys.executable,
            "bench/run.py",
            "--no-docker",
            "--requests",
            "50",
            "--each",
            "10",
            "--tls-rounds",
            "2",
            "--tls-each",
            "3",
            "--overhead-runs",
            "2",
            "--overhead-rounds",
            "1",
            "--overhead-each",
            "3",
            "--json",
            str(figures),
        ],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    for label in (
        "gunicorn directly",
        "mitmweb, no addon",
        "mitmweb + grader + logger",
        "p50 ratios: plain/direct",
        "http against https on its one port",
        "https, one keep-alive session",
        "https, new connection per request",
        "p50 ratios https/http: keep-alive",
        "The lab's proxy against plain mitmweb: 2 fresh starts, each 1 interleaved rounds of 3 requests per series",
        "keep-alive clients",
        "a new connection per request",
    ):
        assert label in proc.stdout
    assert "80 of 80 answered 200; capture lines written: 80" in proc.stdout
    result = json.loads(figures.read_text())["processes"]
    assert set(result["latency"]) == {"direct", "plain", "lab"}
    assert result["throughput"]["capture_lines"] == result["throughput"]["requests"] == 80
    # https against http on the lab's proxy, verified against the lab's CA: a handful of requests per series.
    https = result["https"]
    assert https["rounds"] == 2 and https["tls"].startswith("TLSv1.")
    assert set(https["latency"]) == {"http_keep", "https_keep", "http_new", "https_new"}
    for series in https["latency"].values():
        assert series["samples"] == 6
        assert 0 < series["p50_ms"] <= series["p99_ms"]
    assert https["ratio_https_to_http_p50_keep"] > 0 and https["ratio_https_to_http_p50_new"] > 0
    # The lab's proxy against plain mitmweb: a ratio per fresh start and way, and their median.
    overhead = json.loads(figures.read_text())["overhead"]
    assert (overhead["runs"], overhead["rounds"], overhead["each"]) == (2, 1, 3)
    for way in ("keep", "new"):
        assert len(overhead["ratios"][way]) == 2 and all(r > 0 for r in overhead["ratios"][way])
        assert min(overhead["ratios"][way]) <= overhead["median_ratio"][way] <= max(overhead["ratios"][way])
        assert len(overhead["p50_ms"][f"plain_{way}"]) == len(overhead["p50_ms"][f"lab_{way}"]) == 2
