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
- ``POST /v1/pronunciation-dictionaries/{id}/add-rules`` (``{"rules": [...]}``: each replaces the
  entry for its word, case-insensitively as the studio matches), ``…/{id}/remove-rules``
  (``{"rule_strings": [...]}``; a word not there is ignored, as ElevenLabs does) and
  ``…/{id}/set-rules`` (the dictionary then holds exactly ``rules``) edit it in place, all or
  nothing, and answer with its new ``version_id`` and ``version_rules_num``. An ``alias`` rule
  becomes a respelling, a ``phoneme`` rule (``alphabet`` ``ipa`` or ``cmu-arpabet``, converted)
  phonemes. A rule the studio cannot keep as it is meant gets 422 naming its index, and nothing
  changes: a bad field, or ``case_sensitive: true`` / ``word_boundaries: false``, since the studio
  matches words case-insensitively on word boundaries;
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

from api.common import JSON_MAX_BYTES, json_body, read_upload, route
from api.errors import APIError
from studio import lexicon
from studio.errors import InvalidInput

PERSONAL, TEAM = "personal", "team"
SCOPES = {PERSONAL: "own", TEAM: "team"}
MAX_LOCATORS = 3  # what ElevenLabs takes per request
RULE_TYPES = ("alias", "phoneme")  # each also names the rule's field with its pronunciation


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


async def _rules_body(request: Request) -> dict:
    return await json_body(request, example='{"rules": [{"type": "alias", "string_to_replace": '
                                                            '"Nguyen", "alias": "win"}]}')


def _list(body: dict, name: str) -> list:
    items = body.get(name)
    if not isinstance(items, list):
        raise APIError(422, "invalid_request", f"`{name}` must be a list, got {type(items).__name__}.")
    if len(items) > lexicon.MAX_ENTRIES:
        raise APIError(422, "invalid_request", f"`{name}` has {len(items):,} items; a dictionary holds at most "
                                               f"{lexicon.MAX_ENTRIES:,}, so send at most that many.")
    return items


def _rule(index: int, rule) -> tuple[str, str, str]:
    """An ElevenLabs rule as a studio entry (where, word, pronunciation), its shape checked here;
    the word and pronunciation are checked as every entry is, when they are stored."""
    where = f"rules[{index}]"

    def refused(message: str) -> APIError:
        return APIError(422, "invalid_rule", f"{where}: {message}")

    if not isinstance(rule, dict):
        raise refused('a rule is an object such as {"type": "alias", "string_to_replace": "Nguyen", "alias": "win"}, '
                      f"got {type(rule).__name__}.")
    kind = rule.get("type")
    if kind not in RULE_TYPES:
        raise refused(f'`type` must be "alias" or "phoneme", got {str(kind)[:20]!r}.')
    word, value = rule.get("string_to_replace"), rule.get(kind)
    for name, given in (("string_to_replace", word), (kind, value)):
        if not isinstance(given, str):
            got = "it is missing" if given is None else f"got {type(given).__name__}"
            raise refused(f"the {kind} rule needs the string `{name}`; {got}.")
    for name, honoured in (("case_sensitive", False), ("word_boundaries", True)):
        given = rule.get(name)
        if given is not None and not isinstance(given, bool):
            raise refused(f"`{name}` must be true or false, got {str(given)[:20]!r}.")
        if given is not None and given != honoured:
            raise refused(f"`{name}: {str(given).lower()}` cannot be honoured: the studio matches words "
                          "case-insensitively, on word boundaries. Leave it out to match that way.")
    if kind == "alias":
        if "/" in value:
            raise refused(f"the alias {value[:40]!r} contains a slash; an alias is said as written. Send "
                          'phonemes as a phoneme rule (`"type": "phoneme"`).')
        return where, word, value
    alphabet = rule.get("alphabet")
    if not isinstance(alphabet, str):
        got = "it is missing" if alphabet is None else f"got {type(alphabet).__name__}"
        raise refused(f'the phoneme rule needs `alphabet`, "ipa" or "cmu-arpabet"; {got}.')
    try:
        return where, word, lexicon.phonemes(value, alphabet, word)
    except InvalidInput as error:
        raise refused(str(error)) from None


async def _edit(studio, user: str, dictionary_id: str, add=(), remove=(), replace: bool = False):
    """Edit one dictionary all or nothing (422 when an entry or the limit refuses it), and answer
    with its new version."""
    try:
        await run_in_threadpool(studio.edit_lexicon, user, add, remove, replace, dictionary_id == TEAM)
    except InvalidInput as error:
        raise APIError(422, "invalid_rule", str(error)) from None
    answer = await run_in_threadpool(_describe, studio, user, dictionary_id)
    return JSONResponse({"id": dictionary_id, "version_id": answer["latest_version_id"],
                         "version_rules_num": answer["latest_version_rules_num"]})


async def add_rules(request: Request, studio, user: str):
    dictionary_id = _check_id(studio, request.path_params["dictionary_id"])
    rules = _list(await _rules_body(request), "rules")
    return await _edit(studio, user, dictionary_id, add=[_rule(i, rule) for i, rule in enumerate(rules)])


async def set_rules(request: Request, studio, user: str):
    dictionary_id = _check_id(studio, request.path_params["dictionary_id"])
    rules = _list(await _rules_body(request), "rules")
    return await _edit(studio, user, dictionary_id, add=[_rule(i, rule) for i, rule in enumerate(rules)], replace=True)


async def remove_rules(request: Request, studio, user: str):
    dictionary_id = _check_id(studio, request.path_params["dictionary_id"])
    words = _list(await _rules_body(request), "rule_strings")
    for index, word in enumerate(words):
        if not isinstance(word, str):
            raise APIError(422, "invalid_request", f"rule_strings[{index}] must be a string (the word whose rule "
                                                   f"to remove), got {type(word).__name__}.")
    return await _edit(studio, user, dictionary_id, remove=words)


def routes(get_studio) -> list[Route]:
    def r(fn, **kw):
        return route(get_studio, fn, **kw)

    return [
        Route("/v1/pronunciation-dictionaries", r(list_dictionaries), methods=["GET"]),
        Route("/v1/pronunciation-dictionaries/", r(list_dictionaries), methods=["GET"]),
        Route("/v1/pronunciation-dictionaries/add-from-file",
              r(add_from_file, max_bytes=lexicon.MAX_FILE_BYTES + 64 * 1024), methods=["POST"]),
        Route("/v1/pronunciation-dictionaries/{dictionary_id}", r(get_dictionary), methods=["GET"]),
        *(Route(f"/v1/pronunciation-dictionaries/{{dictionary_id}}/{name}", r(fn, max_bytes=JSON_MAX_BYTES),
                methods=["POST"])
          for name, fn in (("add-rules", add_rules), ("remove-rules", remove_rules), ("set-rules", set_rules))),
        Route("/v1/pronunciation-dictionaries/{dictionary_id}/{version_id}/download", r(download), methods=["GET"]),
    ]
