"""Helper library for the CS231n-style course.

It holds data loading, gradient checking, student-facing checks, plots,
timing, notebook imports and widgets -- never a solution to a graded function.
"""

__version__ = "0.1.0"
