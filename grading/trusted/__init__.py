"""The trusted side of grading: scores computed outside the student's kernel.

- :mod:`.student_process` -- a sandboxed process that imports a submission's
  package and runs calls for the grader (data back only, no pickle);
- :mod:`.scorer` -- runs every hidden test of an assignment on those remote
  objects, with the oracles and comparisons in this (trusted) process;
- :mod:`.test_server` -- serves ``run_hidden`` for nbgrader's in-kernel run, on
  other inputs, and records what the kernel was told;
- :mod:`.grade_job` -- grades one student: scorer, then (unless scores-only)
  nbgrader in a sandbox with the test server, merged into one record;
- :mod:`.records` -- the typed records passed between these stages.
"""
