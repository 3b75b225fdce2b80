"""The benchmark runs end to end on tiny arrays and prints ratios (no timing assertions)."""

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench" / "run.py"


@pytest.mark.slow
def test_bench_prints_ratios_against_sklearn(capsys):
    spec = importlib.util.spec_from_file_location("bench_run", BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    times = bench.main(["--num-train", "40", "--num-test", "6", "--dim", "12", "--repeat", "1"])
    assert set(times) == {"two loops", "one loop", "no loops", "sklearn pairwise_distances", "torch.cdist"}
    out = capsys.readouterr().out
    assert "sklearn pairwise_distances       1.00x" in out
    # every method agreed with scikit-learn on the same arrays
    diffs = [float(line.split("diff to sklearn ")[1].rstrip(")")) for line in out.splitlines() if "diff to" in line]
    assert len(diffs) == 5 and max(diffs) < 1e-4
