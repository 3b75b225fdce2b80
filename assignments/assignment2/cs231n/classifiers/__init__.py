"""The models of assignment 2, one module each.

Nothing is imported here on purpose: ``from cs231n.classifiers.fc_net import ...``
must work even while another module of the package does not import yet.
"""
