"""The app as the benchmark serves it: `gunicorn bench.wsgi:app` (DATABASE_URL from the
environment), with the bare route and the SQL statement counter of bench/instrument.py."""

from bench.instrument import add_bench_routes
from groups import create_app

app = add_bench_routes(create_app())
