"""The pages' audio: ``GET /audio/<token>`` (a finished clip) and ``GET /audio/live/<token>``
(a text-to-speech job as it renders, one continuous WAV stream). Tokens are the signed,
short-lived links of :mod:`studio.links`; nobody else's link, an expired one, or one from
before a sign-out is refused with 404."""
from __future__ import annotations

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from api import encode
from api.errors import from_exception

log = logging.getLogger(__name__)
MEDIA = {"wav": "audio/wav", "mp3": "audio/mpeg"}


def routes(get_studio) -> list[Route]:
    async def clip(request: Request) -> Response:
        try:
            studio = get_studio()
            claims = await run_in_threadpool(studio.open_link, request.path_params["token"])
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
            claims = await run_in_threadpool(studio.open_link, request.path_params["token"])
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
