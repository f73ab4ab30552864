"""Security headers, the Content-Security-Policy, Markdown sanitising, signed tokens and the
rule for where a sign-in may send people next."""

from functools import lru_cache
from urllib.parse import urlsplit

import markdown as markdown_lib
import nh3
from flask import Flask, Response, current_app, g
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from markupsafe import Markup

# What a group description may contain once rendered: text formatting, lists, links. No images,
# no scripts, no styles, no forms.
ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "blockquote",
    "h2", "h3", "h4", "hr", "code", "pre",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


@lru_cache(maxsize=2048)
def render_markdown(text: str | None) -> Markup:
    """Markdown written by staff, turned into HTML that can hold nothing executable. The same
    text always gives the same HTML, so each process keeps the latest few thousand."""
    html = markdown_lib.markdown(text or "", output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)


def content_security_policy(tile_url: str) -> str:
    tile_origin = ""
    parts = urlsplit(tile_url.replace("{s}", "a"))
    if parts.scheme and parts.netloc:
        # Leaflet picks subdomains a, b, c: allow the wildcard form of the tile host.
        host = urlsplit(tile_url).netloc.replace("{s}", "*")
        tile_origin = f" {parts.scheme}://{host}"
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data:{tile_origin}",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SessionCookieUnlessRefused(SecureCookieSessionInterface):
    """Flask's signed-cookie session, except on responses that must set no cookie at all (a
    personal calendar feed: calendar apps store cookies, and the URL is the only key)."""

    def save_session(self, app: Flask, session, response: Response) -> None:
        if g.get("refuse_session_cookie"):
            return
        super().save_session(app, session, response)


def refuse_session_cookie() -> None:
    """This response sets no cookie, even for a browser that sends a permanent session (Flask
    refreshes those on every request)."""
    g.refuse_session_cookie = True


def init_security(app: Flask) -> None:
    app.session_interface = SessionCookieUnlessRefused()
    policy = content_security_policy(app.config["MAP_TILE_URL"])
    production = app.config["PRODUCTION"]

    @app.after_request
    def set_security_headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", policy)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Permissions-Policy", "geolocation=(self), camera=(), microphone=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if production:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        return response

    app.jinja_env.filters["markdown"] = render_markdown


class TokenError(ValueError):
    """A link that can't be used, with the reason a person can act on."""


def sign_token(purpose: str, payload: dict) -> str:
    """A URL-safe, signed, timestamped token that is only valid for ``purpose``."""
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"circles-{purpose}")
    return serializer.dumps(payload)


def read_token(purpose: str, token: str, max_age_seconds: int) -> dict:
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"circles-{purpose}")
    try:
        return serializer.loads(token, max_age=max_age_seconds)
    except SignatureExpired as error:
        raise TokenError("This link has expired. Ask for a new one below.") from error
    except BadSignature as error:
        raise TokenError(
            "This link is not valid. Check it was copied whole, or ask for a new one."
        ) from error


def is_safe_next(target: str | None) -> bool:
    """Only a path on this site: no scheme, no host, no '//' or '/\\', no control characters."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return False
    if "\\" in target or any(ord(character) < 32 or ord(character) == 127 for character in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc
