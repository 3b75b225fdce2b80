"""Independent reference implementations (PyTorch, scikit-learn, SciPy) that hidden
tests compare student code against.  Device-agnostic: CUDA when present, CPU otherwise."""
