"""A tiny HTTP client that keeps cookies, for signing in through the real sign-in form.

The benchmark needs real session cookies and CSRF tokens (the load generator replays them),
got the way a person gets them: open the form, read its token, post it. The standard library is
enough; cookies are kept by hand because `http.cookiejar` would not send the `Secure` cookies a
production-mode app sets over the plain-HTTP loopback connection.
"""

import http.client
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from bench.instrument import QUERY_HEADER

CSRF_FIELD = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


class BenchError(RuntimeError):
    """The benchmark can't measure: a page answered wrongly, or the setup is incomplete."""


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def sql_queries(self) -> int | None:
        value = self.headers.get(QUERY_HEADER)
        return int(value) if value is not None else None

    def csrf_token(self) -> str:
        match = CSRF_FIELD.search(self.body.decode("utf-8", "replace"))
        if match is None:
            raise BenchError("No CSRF token on the page.")
        return match.group(1)


class Browser:
    """One visitor: requests to the server on ``port``, with the cookies it was given."""

    def __init__(self, port: int, host: str = "127.0.0.1") -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(
        self, method: str, path: str, form: dict | None = None, headers: dict | None = None
    ) -> Answer:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = self.cookie_header()
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            answer = Answer(response.status, response.msg, response.read())
        finally:
            connection.close()
        self._keep_cookies(answer.headers.get_all("Set-Cookie") or [])
        return answer

    def _keep_cookies(self, set_cookies: list[str]) -> None:
        for header in set_cookies:
            name, _, value = header.split(";", 1)[0].strip().partition("=")
            lowered = header.lower()
            if not value or "max-age=0" in lowered or "expires=thu, 01 jan 1970" in lowered:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    def sign_in(self, email: str, password: str) -> None:
        """Sign in through the form, as a person would; raises BenchError if it is refused."""
        page = self.request("GET", "/sign-in")
        if page.status != 200:
            raise BenchError(f"GET /sign-in answered {page.status}.")
        form = {"email": email, "password": password, "csrf_token": page.csrf_token(), "next": ""}
        answer = self.request("POST", "/sign-in", form=form)
        if answer.status not in (302, 303):
            raise BenchError(f"Signing in as {email} answered {answer.status}, not a redirect.")
