"""Independent reference implementations (PyTorch, scikit-learn, SciPy) that hidden
tests compare student code against.  Device-agnostic: every torch tensor is made by
:mod:`grading.oracles.torch_device` (CUDA when present, CPU otherwise)."""
