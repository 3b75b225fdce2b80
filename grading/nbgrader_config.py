"""nbgrader configuration of the course.

Used by the instructor tool (``python -m grading ...``) and by the nbgrader CLI
itself, from any working directory (nbgrader's subcommands have no ``--config``
alias; this is the traitlets spelling of it)::

    nbgrader generate_assignment assignment1 --JupyterApp.config_file=grading/nbgrader_config.py

``python -m grading`` also writes an ``nbgrader_config.py`` into the course
directory that loads this file, so inside the course directory plain
``nbgrader autograde assignment1`` (or the formgrader) uses these settings.

- source  = ``<repo>/solutions``   (instructor notebooks, solution regions + hidden tests)
- release = ``<repo>/assignments`` (the student release, committed to git)
- everything else (submitted/, autograded/, feedback/, gradebook.db, exports/)
  lives in the course working directory, outside git:
  ``$CS231N_COURSE_DIR``, default ``~/cs231n-course``.
- each cell may run for ``$CS231N_CELL_TIMEOUT`` seconds (default 60) before the
  kernel is interrupted, so an infinite loop costs one cell, not the class.
"""

import os
from pathlib import Path

c = get_config()  # noqa: F821  (injected by traitlets when it loads this file)

REPO = Path(__file__).resolve().parent.parent
COURSE_DIR = Path(os.environ.get("CS231N_COURSE_DIR") or "~/cs231n-course").expanduser().resolve()

#: Assignments released by default, in order (folders of solutions/).
ASSIGNMENTS = ["assignment1", "assignment2", "demos"]
c.CourseTool.assignments = ASSIGNMENTS  # read by grading/tool/course.py

c.CourseDirectory.course_id = "cs231n"
c.CourseDirectory.root = str(COURSE_DIR)
c.CourseDirectory.source_directory = str(REPO / "solutions")
c.CourseDirectory.release_directory = str(REPO / "assignments")
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".DS_Store"]

# Needs `grading` importable (also for the feedback preprocessors below).
import sys  # noqa: E402

if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# The student package (<assignment>/cs231n/...): releases strip its solution
# regions, also under plain `nbgrader generate_assignment` (and the Formgrader);
# autograding grades the student's copy of each module that has solutions
# (nbgrader would overwrite it with the instructor's), the instructor's copy of
# every other file.
from grading.tool import student_package  # noqa: E402

student_package.install_generate_hook()
c.Autograde.exclude_overwriting = student_package.student_files(REPO / "solutions")

# Generating a release: each hidden-test cell's points come from its tests'
# @hidden_test(...) definitions (grading/tool/points.py), and a cell naming an
# unknown test, a test of another assignment, or a test with another grade_id
# fails the generation.  The rest is nbgrader 0.9's default list, in its order.
c.GenerateAssignment.preprocessors = [
    "grading.tool.points.HiddenTestPoints",
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.InstantiateTests",
    "nbgrader.preprocessors.LockCells",
    "nbgrader.preprocessors.ClearSolutions",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.CheckCellMetadata",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.SaveCells",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Execution during autograding: one python3 kernel per notebook, cut off hung
# cells; a cell that kills the kernel is skipped and the rest graded in a fresh
# kernel (grading/tool/execute.py), for the nbgrader CLI and our tool alike.
c.Autograde.autograde_preprocessors = [
    "grading.tool.execute.ResilientExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# A notebook nbgrader cannot read is left out (it scores 0) instead of
# stopping the grading of the student's other notebooks.
from grading.tool.execute import skip_unreadable_notebooks  # noqa: E402

c.Autograde.pre_convert_hook = skip_unreadable_notebooks
# The hidden-test cells get the trusted scorer's scores (grading/trusted/nbgrader_hook.py): computed in a
# sandbox, outside the student's kernel, also when plain nbgrader or the Formgrader's button autogrades.
c.Autograde.post_convert_hook = "grading.trusted.nbgrader_hook.trusted_scores"
c.Execute.kernel_name = "python3"
c.Execute.timeout = int(os.environ.get("CS231N_CELL_TIMEOUT", "60"))
c.Execute.interrupt_on_timeout = True
c.Execute.startup_timeout = 120

# Hidden test cells do `from grading.hidden import run_hidden`: the kernels that
# nbgrader starts inherit this environment, so the repository root must be on
# their path.  (nbgrader itself sets NBGRADER_EXECUTION in the kernel's
# environment, which switches the notebooks to fast mode.)
_path = os.environ.get("PYTHONPATH", "")
if str(REPO) not in _path.split(os.pathsep):
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in [str(REPO), _path] if p)

# One BLAS/OpenMP thread per kernel: students are graded in parallel (--jobs),
# and on a busy 2-core machine threads fighting over cores made fast-mode cells
# several times slower (softmax.ipynb: 19 s -> 6 s with one thread).
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

# nbgrader creates/upgrades the gradebook by running the `alembic` command,
# which sits next to this Python when the virtual environment is not activated.
_bin = os.path.dirname(sys.executable)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = os.pathsep.join(p for p in [_bin, os.environ.get("PATH", "")] if p)

# Feedback: strip hidden tests and instructor tracebacks before rendering
# (nbgrader 0.9.6 would otherwise show them).
c.GenerateFeedback.preprocessors = [
    "grading.tool.scrub.ScrubHidden",
    "nbgrader.preprocessors.GetGrades",
    "grading.tool.feedback_notes.FeedbackNotes",  # autograder notes, "to be graded"
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
# The course's feedback template (grading/templates/cs231n_feedback), nbgrader's
# kept on the path for the formgrader's button; MathJax from a local copy.
import nbgrader  # noqa: E402
from grading.tool.mathjax import URL as _MATHJAX_URL  # noqa: E402

c.HTMLExporter.template_name = "cs231n_feedback"
c.HTMLExporter.extra_template_basedirs = [
    str(REPO / "grading" / "templates"),
    os.path.join(os.path.dirname(nbgrader.__file__), "server_extensions", "formgrader", "templates"),
]
c.HTMLExporter.mathjax_url = _MATHJAX_URL

# The plain nbgrader CLI changes into the course directory: make the default one exist.
if os.path.basename(sys.argv[0] if sys.argv else "") == "nbgrader":
    COURSE_DIR.mkdir(parents=True, exist_ok=True)
