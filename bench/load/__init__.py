"""The load test: `python -m bench.load` (see __main__.py)."""
