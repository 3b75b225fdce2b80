"""The classifiers of assignment 1, one module each.

Nothing is imported here on purpose: ``from cs231n.classifiers.softmax import ...``
must work even while another module of the package does not import yet.
"""
