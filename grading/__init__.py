"""Instructor side: nbgrader configuration, hidden tests, oracles and grading tools.

Not part of the student install (``pyproject.toml`` packages only ``cs231n_lib``);
notebooks reach it at autograde time because the grading tools put the
repository root on ``PYTHONPATH``.
"""
