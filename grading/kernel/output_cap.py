"""An IPython start-up file for grading kernels: each cell's printed output is capped in the kernel itself.

``grading/trusted/grade_job.py`` writes :data:`STARTUP` into the sandbox's fresh
``~/.ipython/profile_default/startup/``, so a cell that prints a gigabyte sends
about ``CAP`` bytes to nbgrader, then one notice (the text of
``grading.tool.execute.TRUNCATED``, which the grader's messages report).  The
Execute preprocessor caps what it receives too, for a kernel whose streams the
student replaced.
"""

CAP = 1 << 20

STARTUP = '''
import sys as _sys

def _cs231n_cap_output(cap=%(cap)d, notice=%(notice)r):
    class Capped:
        def __init__(self, stream):
            self._stream, self.used, self.cut = stream, 0, False
        def write(self, text):
            room = cap - self.used
            self.used += len(text)
            if room >= len(text):
                return self._stream.write(text)
            if room > 0:
                self._stream.write(text[:room])
            if not self.cut:
                self.cut = True
                self._stream.write("\\n" + notice + "\\n")
            return len(text)
        def __getattr__(self, name):
            return getattr(self._stream, name)
    streams = [Capped(_sys.stdout), Capped(_sys.stderr)]
    _sys.stdout, _sys.stderr = streams
    def reset(*args):
        for s in streams:
            s.used, s.cut = 0, False
    get_ipython().events.register("pre_run_cell", reset)

_cs231n_cap_output()
del _cs231n_cap_output
'''
