"""The pages' audio: ``GET /audio/<token>`` (a finished clip) and ``GET /audio/live/<token>``
(a text-to-speech job as it renders, one continuous WAV stream). Tokens are the signed,
short-lived links of :mod:`studio.links`; nobody else's link, an expired one, one from before
a sign-out, or one fetched by another browser (or with no cookies) is refused with 404.

:class:`BrowserCookie` gives every browser the random cookie those links are bound to."""
from __future__ import annotations

import logging
import secrets

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from api import encode
from api.errors import from_exception
from studio.links import BROWSER_COOKIE

log = logging.getLogger(__name__)
MEDIA = {"wav": "audio/wav", "mp3": "audio/mpeg"}


def routes(get_studio) -> list[Route]:
    async def clip(request: Request) -> Response:
        try:
            studio = get_studio()
            claims = await run_in_threadpool(studio.open_link, request.path_params["token"],
                                             request.cookies.get(BROWSER_COOKIE))
            data = await run_in_threadpool(studio.link_audio, claims)
            disposition = "attachment" if request.query_params.get("download") else "inline"
            name = f"{claims['w']}-{claims['j'][:8]}.{claims['f']}"
            return Response(data, media_type=MEDIA.get(claims["f"], "application/octet-stream"),
                            headers={"Cache-Control": "private, no-store",
                                     "Content-Disposition": f'{disposition}; filename="{name}"'})
        except Exception as error:  # noqa: BLE001
            return from_exception(error)

    async def live(request: Request) -> Response:
        try:
            studio = get_studio()
            claims = await run_in_threadpool(studio.open_link, request.path_params["token"],
                                             request.cookies.get(BROWSER_COOKIE))
            user, job_id = claims["u"], claims["j"]
            chunks = studio.follow(user, job_id)
            first = await run_in_threadpool(next, chunks, None)
        except Exception as error:  # noqa: BLE001
            return from_exception(error)

        async def body():
            encoder = encode.StreamEncoder(encode.Format("wav", None, "audio/wav"))
            chunk = first
            try:
                while chunk is not None:
                    yield encoder.chunk(chunk)
                    chunk = await run_in_threadpool(next, chunks, None)
            except Exception:  # noqa: BLE001 — failed or cancelled: the stream just ends
                log.info("live stream of job %s ended early", job_id)

        return StreamingResponse(body(), media_type="audio/wav", headers={"Cache-Control": "private, no-store"})

    return [Route("/audio/live/{token}", live, methods=["GET"]), Route("/audio/{token}", clip, methods=["GET"])]


class BrowserCookie:
    """ASGI middleware: a page (an HTML response) sent to a browser without
    :data:`~studio.links.BROWSER_COOKIE` sets it, random and HttpOnly. The page script reads it
    from the websocket's cookies (``st.context.cookies``) and binds the audio links it makes to
    it. Only HTML pages set it: the browser loads one first and sends the cookie with all that
    follows, so assets answered in parallel cannot replace it under a page that already uses it."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or HTTPConnection(scope).cookies.get(BROWSER_COOKIE):
            await self.app(scope, receive, send)
            return
        secure = "; Secure" if scope.get("scheme") == "https" else ""

        async def send_with_cookie(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if headers.get("content-type", "").startswith("text/html"):
                    headers.append("set-cookie", f"{BROWSER_COOKIE}={secrets.token_urlsafe(32)}; Path=/; HttpOnly; "
                                                 f"SameSite=Lax{secure}")
            await send(message)

        await self.app(scope, receive, send_with_cookie)
