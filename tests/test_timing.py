from cs231n_lib.timing import compare_times, time_function


def test_time_function_counts_calls_and_returns_seconds():
    calls = []
    t = time_function(lambda: calls.append(1), repeat=4)
    assert len(calls) == 4 and t >= 0


def test_compare_times_prints_ratios(capsys):
    times = compare_times({"a": lambda n: sum(range(n)), "b": lambda n: n}, 1000, repeat=2, reference="b")
    assert set(times) == {"a", "b"}
    out = capsys.readouterr().out
    assert "x" in out and out.count("\n") == 2
