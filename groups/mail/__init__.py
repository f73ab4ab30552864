"""Email: one small module sends every message the app will ever send.

``outbox.queue_email`` in the caller's transaction; delivery after the response and from
`flask mail send`; the site admins' outbox page in ``views``.
"""
