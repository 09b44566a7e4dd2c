"""The studio's HTTP API, beside the pages in the same process (``serve.py``).

OpenAI-compatible speech (``/v1/audio/speech``, ``/v1/models``) and the ElevenLabs routes
people script against (text-to-speech with streaming and timestamps, voices, speech-to-speech,
sound generation, history, user, pronunciation dictionaries). Every route authenticates an API key, then calls the
same :class:`studio.core.Studio` the pages use, so credits, history and jobs are shared.
"""
from __future__ import annotations

from typing import Callable

from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from studio.core import Studio


def routes(get_studio: Callable[[], Studio]) -> list[BaseRoute]:
    from api import dictionaries, elevenlabs, media, openai

    return [*openai.routes(get_studio), *elevenlabs.routes(get_studio), *dictionaries.routes(get_studio),
            *media.routes(get_studio)]


def middleware() -> list[Middleware]:
    """What serve.py wraps the pages and routes in: the browser cookie the audio links are bound to."""
    from api import media

    return [Middleware(media.BrowserCookie)]
