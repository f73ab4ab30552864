"""The benchmark (issue 9): seed a realistic database, serve the app with gunicorn, load it with wrk."""
