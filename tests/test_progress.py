"""cs231n_lib.progress: the loop bar and the elapsed-seconds bar of ``working`` (its ticking thread always stops)."""

from __future__ import annotations

import threading

import pytest

from cs231n_lib.progress import TICKER_THREAD_NAME, progress, working


def _tickers():
    return [t for t in threading.enumerate() if t.name == TICKER_THREAD_NAME]


def test_progress_yields_every_item_and_shows_the_description(capsys):
    assert list(progress(range(4), desc="folds")) == [0, 1, 2, 3]
    err = capsys.readouterr().err
    assert "folds" in err and "4/4" in err


def test_working_runs_the_block_shows_its_name_and_stops_its_thread(capsys):
    with working("LinearSVC.fit", interval=0.01) as bar:
        assert len(_tickers()) == 1
        result = sum(range(1000))
    assert result == 499500
    assert _tickers() == []
    assert bar.disable or bar.n >= 0
    err = capsys.readouterr().err
    assert "LinearSVC.fit" in err and "elapsed" in err


def test_working_stops_its_thread_and_reraises_when_the_block_raises(capsys):
    with pytest.raises(ValueError, match="boom"):
        with working("fit", interval=0.01):
            raise ValueError("boom")
    assert _tickers() == []
    assert "fit (failed)" in capsys.readouterr().err


def test_working_ticks_while_the_block_waits(capsys):
    # No timing assertion: the block waits until the ticker has refreshed the bar at least twice.
    refreshed = threading.Event()
    with working("wait", interval=0.001) as bar:
        original = bar.refresh
        count = [0]

        def counting_refresh(*args, **kwargs):
            count[0] += 1
            if count[0] >= 2:
                refreshed.set()
            return original(*args, **kwargs)

        bar.refresh = counting_refresh
        assert refreshed.wait(timeout=30)
    assert _tickers() == []


def test_nested_and_repeated_blocks_leave_no_thread():
    for _ in range(3):
        with working("outer", interval=0.001):
            with working("inner", interval=0.001):
                pass
    assert _tickers() == []
