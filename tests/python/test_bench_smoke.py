"""The benchmark (tests/bench/bench.py, `bash scripts/bench.sh`) still runs and writes every figure
issue 11 names, so that it cannot rot between the manual runs that need the release build.

Run here with the dev plugin, the shortest run (--quick) and AWS's delays scaled down to 1/600,
its own emulator. No timing is asserted: only that each figure is there, and the counts a
correct provider cannot miss (a no-op up writes nothing; destroy writes the minimum)."""

import json
import subprocess
import sys


def test_the_quick_benchmark_writes_every_figure(repo_root, provider_binary, tmp_path):
    out = tmp_path / "bench.json"
    run = subprocess.run(
        [sys.executable, str(repo_root / "tests" / "bench" / "bench.py"), "--quick",
         "--factor", str(1 / 600), "--provider", str(provider_binary),
         "--state-dir", str(tmp_path / "state"), "--json", str(out)],
        capture_output=True, text=True, timeout=540)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    figures = json.loads(out.read_text())

    for key in ("launch_ms", "peak_rss_mb", "critical_path_ratio", "consumer_critical_path_ratio",
                "naive_ratio"):
        assert isinstance(figures[key], (int, float)) and figures[key] > 0, (key, figures[key])
    assert set(figures["preview_ms"]) == {"producer", "consumer", "acceptance"}
    for name, operations in figures["aws_calls"].items():
        assert set(operations) == {"create", "noop_up", "refresh", "destroy"}, name
        assert operations["noop_up"]["writes"] == 0, (name, operations["noop_up"])
        assert operations["refresh"]["writes"] == 0, (name, operations["refresh"])
        assert operations["destroy"]["writes"] == operations["destroy"]["min_writes"], (
            name, operations["destroy"])
    assert set(figures["scale"]) == {"1", "3"}
    for consumers, phases in figures["scale"].items():
        assert set(phases) == {"create_and_accept", "producer_refresh", "destroy"}, consumers
        assert phases["producer_refresh"]["writes"] == 0, consumers
    # The table names every figure too.
    for key in ("launch_ms", "peak_rss_mb", "critical_path_ratio", "naive_ratio", "scale"):
        assert key in run.stdout, key
