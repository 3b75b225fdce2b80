"""grading/tool/diagnose.py: one clear sentence per problem."""

from __future__ import annotations

import nbformat

from grading.tool.diagnose import cell_messages, failure_message, import_messages, inspection_messages
from grading.tool.inspect_nb import Inspection
from grading.trusted.records import TestRecord


def test_failure_messages_name_the_cause():
    dead = failure_message("svm", {"success": False, "log": "[ERROR] nbclient.exceptions.DeadKernelError: Kernel died"})
    assert dead.startswith("svm.ipynb: the kernel died") and dead.endswith("svm scores 0")
    hung = failure_message("knn", {"success": False, "error": "UnresponsiveKernelError"})
    assert "could not be interrupted" in hung
    other = failure_message("knn", {"success": False, "error": "Traceback...\nValueError: odd metadata"})
    assert other == "knn.ipynb could not be autograded (ValueError: odd metadata); knn scores 0"


def test_cell_messages_find_timeouts_and_syntax_errors(tmp_path):
    nb = nbformat.v4.new_notebook()
    loop = nbformat.v4.new_code_cell("f()")
    loop.metadata["nbgrader"] = {"grade_id": "f_test"}
    loop.outputs = [nbformat.v4.new_output("error", ename="CellTimeoutError", evalue="", traceback=[])]
    bad = nbformat.v4.new_code_cell("def g(:")
    bad.outputs = [nbformat.v4.new_output("error", ename="SyntaxError", evalue="invalid syntax (1234567.py, line 1)",
                                          traceback=[])]
    fine = nbformat.v4.new_code_cell("1")
    fine.outputs = [nbformat.v4.new_output("error", ename="AssertionError", evalue="", traceback=[])]
    nb.cells = [loop, bad, fine]
    nbformat.write(nb, tmp_path / "n.ipynb")
    assert cell_messages("n", tmp_path / "n.ipynb", 7) == [
        "n.ipynb: f_test ran longer than 7 s and was interrupted (infinite loop?); the tests that depend on it score 0",
        "n.ipynb: SyntaxError in cell 2 (invalid syntax (1234567.py, line 1)); the tests that need it score 0",
    ]


def test_inspection_messages():
    assert inspection_messages("knn", Inspection(problem="knn.ipynb is missing")) == ["knn.ipynb is missing; knn scores 0"]
    both = inspection_messages("knn", Inspection(deleted=["a"], edited=["b", "c"]))
    assert both == [
        "knn.ipynb: graded cell(s) a deleted; they score 0",
        "knn.ipynb: test cell(s) b, c were edited; the original tests were restored and graded instead",
    ]
    assert inspection_messages("knn", Inspection()) == []


def test_skipped_cells_and_broken_student_modules_are_reported_once(tmp_path):
    from grading.tool.execute import skipped_error

    nb = nbformat.v4.new_notebook()
    killer = nbformat.v4.new_code_cell("import os; os._exit(1)")
    killer.outputs = [skipped_error("stopped the kernel (x)")]
    loads = nbformat.v4.new_code_cell('f = load("cs231n.m", "f")')
    loads.outputs = [nbformat.v4.new_output("stream", name="stdout",
                                            text="cannot use f: cs231n/m.py, line 3: SyntaxError: invalid syntax\n"
                                                 "    def f(:\nThe module cs231n.m does not import...\n")]
    uses = nbformat.v4.new_code_cell("LinearSVM().train(X, y)")  # the same module error, raised again later
    uses.outputs = [nbformat.v4.new_output("error", ename="SyntaxError", evalue="invalid syntax (m.py, line 3)",
                                           traceback=[])]
    nb.cells = [killer, loads, uses]
    nbformat.write(nb, tmp_path / "n.ipynb")
    assert cell_messages("n", tmp_path / "n.ipynb", 7) == [
        "n.ipynb: cell 1 stopped the kernel (os._exit, a crash, or running out of memory); "
        "it was skipped and the rest of n was graded",
        "n.ipynb: f: cs231n/m.py, line 3: SyntaxError: invalid syntax; the tests that need it score 0",
    ]


def test_scores_only_grading_names_each_module_that_did_not_import_once_per_notebook():
    reason = ("hidden test {}: cs231n/optim.py, line 45: SyntaxError: unmatched ')'\n    v = v * dw)\n"
              "The module cs231n.optim does not import, so nothing it defines can be checked. Fix it, then run "
              "the cell that imports it again.")

    def record(gid, notebook, message, score=0.0):
        return TestRecord(assignment="a", grade_id=gid, notebook=notebook, max_score=2, score=score, message=message)

    tests = [record("fc_rmsprop", "FC", reason.format("fc_rmsprop")), record("fc_adam", "FC", reason.format("fc_adam")),
             record("fc_affine", "FC", "affine_forward: max error 1e-2 ..."), record("ok", "FC", "", score=2)]
    assert import_messages(tests) == [
        "FC.ipynb: cs231n/optim.py, line 45: SyntaxError: unmatched ')'; the tests that need it score 0"]
    assert import_messages(tests[2:]) == []
