"""ElevenLabs-compatible pronunciation dictionaries, over the studio's own (studio/lexicon.py).

The studio keeps one dictionary per user, ``personal``, and in team mode one shared by the team,
``team``; both always apply to the user's speech (the team's overridden by the user's own for the
same word), from the pages and from the API alike. So:

- ``GET /v1/pronunciation-dictionaries`` lists those one or two, with a ``latest_version_id`` that
  changes whenever their entries do (a digest of the entries);
- ``POST /v1/pronunciation-dictionaries/add-from-file`` (a PLS or CSV ``file``) adds the file's
  entries to ``personal`` (or to ``team`` with the form field ``team=true``), replacing those for
  the same words: it answers with that dictionary, not a new one; ``name`` is accepted and kept
  out of the way, since the studio's dictionaries are not named;
- ``GET /v1/pronunciation-dictionaries/{id}`` and ``…/{id}/{version_id}/download`` (a PLS file);
- ``pronunciation_dictionary_locators`` on text-to-speech is checked (:func:`check_locators`): a
  script that names a dictionary this studio does not have gets 404 instead of speech that
  silently lacks it. A stale ``version_id`` is not an error: the current entries apply.
"""
from __future__ import annotations

import hashlib
import time

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.common import read_upload, route
from api.errors import APIError
from studio import lexicon

PERSONAL, TEAM = "personal", "team"
SCOPES = {PERSONAL: "own", TEAM: "team"}
MAX_LOCATORS = 3  # what ElevenLabs takes per request


def _ids(studio) -> tuple[str, ...]:
    return (PERSONAL, TEAM) if studio.team_mode else (PERSONAL,)


def _check_id(studio, dictionary_id) -> str:
    if dictionary_id not in _ids(studio):
        raise APIError(404, "pronunciation_dictionary_not_found",
                       f"No pronunciation dictionary {str(dictionary_id)[:40]!r}. This studio has "
                       + " and ".join(f"`{i}`" for i in _ids(studio)) + " (GET /v1/pronunciation-dictionaries).")
    return dictionary_id


def _describe(studio, user: str, dictionary_id: str) -> dict:
    """The ElevenLabs shape of one dictionary, its version a digest of its entries."""
    pls = studio.export_lexicon(user, "pls", SCOPES[dictionary_id])
    team = dictionary_id == TEAM
    rules = sum(1 for e in studio.lexicon_entries(user) if e["team"] == team)
    return {"id": dictionary_id, "name": "Team dictionary" if team else "My dictionary",
            "latest_version_id": hashlib.sha256(pls).hexdigest()[:20], "latest_version_rules_num": rules,
            "created_by": "team" if team else user, "creation_time_unix": 0,
            "description": ("Shared by everyone signed in to this studio." if team else
                            "Your own pronunciations; they win over the team's for the same word."),
            "permission_on_resource": "editor" if team else "admin"}


def check_locators(studio, user: str, body: dict) -> None:
    """``pronunciation_dictionary_locators`` of a speech request: each must name a dictionary of this
    studio (they apply anyway); 422 for a malformed list, 404 for an unknown id."""
    locators = body.get("pronunciation_dictionary_locators")
    if locators is None:
        return
    if not isinstance(locators, list) or len(locators) > MAX_LOCATORS:
        raise APIError(422, "invalid_request", "`pronunciation_dictionary_locators` must be a list of at most "
                                               f"{MAX_LOCATORS} objects with a `pronunciation_dictionary_id`.")
    for locator in locators:
        if not isinstance(locator, dict) or not isinstance(locator.get("pronunciation_dictionary_id"), str):
            raise APIError(422, "invalid_request", "Each pronunciation dictionary locator needs a string "
                                                   "`pronunciation_dictionary_id`.")
        _check_id(studio, locator["pronunciation_dictionary_id"])


async def list_dictionaries(request: Request, studio, user: str):
    found = [await run_in_threadpool(_describe, studio, user, i) for i in _ids(studio)]
    return JSONResponse({"pronunciation_dictionaries": found, "has_more": False, "next_cursor": None})


async def get_dictionary(request: Request, studio, user: str):
    dictionary_id = _check_id(studio, request.path_params["dictionary_id"])
    return JSONResponse(await run_in_threadpool(_describe, studio, user, dictionary_id))


async def download(request: Request, studio, user: str):
    dictionary_id = _check_id(studio, request.path_params["dictionary_id"])
    pls = await run_in_threadpool(studio.export_lexicon, user, "pls", SCOPES[dictionary_id])
    return Response(pls, media_type="application/pls+xml",
                    headers={"content-disposition": f'attachment; filename="{dictionary_id}.pls"'})


async def add_from_file(request: Request, studio, user: str):
    try:
        form = await request.form(max_files=1, max_fields=10, max_part_size=lexicon.MAX_FILE_BYTES + 1)
    except Exception as error:  # noqa: BLE001 — a malformed or oversized form is the client's mistake
        raise APIError(422, "invalid_form", "Send the lexicon as the multipart file field `file` (a PLS or CSV file "
                                            f"of at most {lexicon.MAX_FILE_BYTES:,} bytes; {type(error).__name__}).") from None
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise APIError(400, "invalid_request", "Send the lexicon (.pls or .csv) as the multipart file field `file`.")
    team = str(form.get("team", "")).lower() in ("1", "true", "yes")
    dictionary_id = _check_id(studio, TEAM if team else PERSONAL)
    data = await read_upload(upload, lexicon.MAX_FILE_BYTES, "lexicon file")
    started = time.time()
    report = await run_in_threadpool(studio.import_lexicon, user, data, upload.filename or "lexicon.pls", team)
    answer = await run_in_threadpool(_describe, studio, user, dictionary_id)
    answer.update(creation_time_unix=int(started), version_id=answer["latest_version_id"],
                  version_rules_num=answer["latest_version_rules_num"], imported=report.summary,
                  skipped=list(report.skipped))
    return JSONResponse(answer)


def routes(get_studio) -> list[Route]:
    def r(fn, **kw):
        return route(get_studio, fn, **kw)

    return [
        Route("/v1/pronunciation-dictionaries", r(list_dictionaries), methods=["GET"]),
        Route("/v1/pronunciation-dictionaries/", r(list_dictionaries), methods=["GET"]),
        Route("/v1/pronunciation-dictionaries/add-from-file",
              r(add_from_file, max_bytes=lexicon.MAX_FILE_BYTES + 64 * 1024), methods=["POST"]),
        Route("/v1/pronunciation-dictionaries/{dictionary_id}", r(get_dictionary), methods=["GET"]),
        Route("/v1/pronunciation-dictionaries/{dictionary_id}/{version_id}/download", r(download), methods=["GET"]),
    ]
