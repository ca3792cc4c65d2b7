"""The benchmark: a separate database at borough scale, served by gunicorn and driven with a bounded load.

`python -m bench.run` (or `make bench`) builds, serves, measures and reports; `bench.build` fills the
database, `bench.load` drives the load, `bench.wsgi` is the served application with a query counter.
"""

# The response header, added only by bench.wsgi, that gives the SQL statements a request ran.
QUERY_HEADER = "X-Bench-Queries"
