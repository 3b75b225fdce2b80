"""The instructor grading tool: release, autograde, feedback, export, demo.

One transformation per module; ``grading/__main__.py`` is the command line.
"""
