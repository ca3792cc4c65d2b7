"""The benchmark: a separate database at borough scale, served by gunicorn and driven with a bounded load.

`python -m bench.run` (or `make bench`) builds, serves, measures and reports; `bench.build` fills the
database, `bench.urls` makes the URLs readers ask for, `bench.load` drives the load, `bench.writer` makes public
changes through the services while it runs, `bench.report` sums up and checks the targets, and `bench.wsgi` is
the served application with a query counter and the page cache's answer in a header.
"""

# The response header, added only by bench.wsgi, that gives the SQL statements a request ran.
QUERY_HEADER = "X-Bench-Queries"
# The response header, added only by bench.wsgi, saying whether the page cache answered the request ("hit") or
# its view built it ("miss"); absent when no cached view answered.
CACHE_HEADER = "X-Bench-Cache"
