"""The benchmark: a separate database at borough scale, served by gunicorn and driven with a bounded load.

`python -m bench.run` (or `make bench`) builds, serves, measures and reports; `bench.build` fills the
database, `bench.load` drives the load, `bench.wsgi` is the served application with a query counter.
"""
