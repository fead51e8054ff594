"""The benchmark's loopback part runs in the stack tier: it must report every figure and lose no capture line.

No timing is asserted here: speed targets live in the benchmark's printed figures.
"""

import json
import subprocess
import sys

import pytest
from helpers import ROOT

pytestmark = pytest.mark.stack


def test_benchmark_without_docker_reports_latency_and_throughput(tmp_path):
    figures = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, "bench/run.py", "--no-docker", "--requests", "50", "--each", "10", "--json", str(figures)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    for label in ("gunicorn directly", "mitmweb, no addon", "mitmweb + grader + logger", "p50 ratios: plain/direct"):
        assert label in proc.stdout
    assert "80 of 80 answered 200; capture lines written: 80" in proc.stdout
    result = json.loads(figures.read_text())["processes"]
    assert set(result["latency"]) == {"direct", "plain", "lab"}
    assert result["throughput"]["capture_lines"] == result["throughput"]["requests"] == 80
