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


CONV_BENCH = BENCH.parent / "conv.py"


@pytest.mark.slow
def test_conv_bench_prints_ratio_lines_for_both_cases_and_dtypes(capsys):
    spec = importlib.util.spec_from_file_location("bench_conv", CONV_BENCH)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    ratios, profiles = bench.main(["--tiny", "--repeat", "1"])
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.strip().startswith("ratio ")]
    assert len(lines) == 6 and all("ours/torch" in line for line in lines)
    assert sum("loops/ours" in line for line in lines) == 4
    assert sum("solution naive/ours" in line for line in lines) == 4
    assert "torch threads" in out and "BLAS threads" in out and "naive = " in out
    assert set(profiles) == {"classic", "64x32"} and all("col2im" in p and "im2col" in p for p in profiles.values())
