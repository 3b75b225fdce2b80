"""Hidden tests of assignment 1, one module per notebook (found by
``grading.hidden.core.load_assignment``; a module that does not import fails loudly)."""
