"""Helpers for the real-browser tests: a throw-away JupyterLab server and Playwright page actions."""
