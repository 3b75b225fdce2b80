"""What a sandboxed student process may see of the grader: the data-only wire
format, the object server that runs the student's code for the trusted side,
the in-kernel ``run_hidden`` client, and measurement probes.  Nothing here
holds an oracle, an expected value or a test's inputs; the sandbox mounts this
package read-only and hides ``grading/hidden/<assignment>`` and ``grading/oracles``.
"""
