"""The HTTP API as its users call it: the official `openai` and `elevenlabs` clients against the
real server (serve.py, started as `make run` starts it), with real keys, credits and jobs."""
from __future__ import annotations

import io
import subprocess
import threading
import time

import httpx
import numpy as np
import pytest
import soundfile as sf

from studio import apikeys, credits
from studio.db import connect
from tests import servers

PROSE = ("The library opens at nine on weekdays and at ten on Saturdays. Members can borrow up to twelve books "
         "at a time, and most loans last three weeks. ")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = servers.start_app(tmp_path_factory.mktemp("api") / "data")
    yield s
    s.stop()


def _db(server):
    return connect(server.data_dir / "studio.db")


def make_key(server, user: str, starting: int = 10_000) -> str:
    db = _db(server)
    credits.ensure_user(db, user, starting)
    return apikeys.create(db, user, "tests")[1]


def balance(server, user: str) -> int:
    return credits.balance(_db(server), user)


def job_row(server, job_id: str) -> dict:
    return dict(next(iter(_db(server).query("SELECT * FROM jobs WHERE id = ?", [job_id]))))


def decode(data: bytes) -> tuple[np.ndarray, int]:
    """Any container the API sends (ffmpeg reads MP3 streams exactly as browsers do)."""
    out = subprocess.run(["ffmpeg", "-v", "error", "-i", "-", "-f", "f32le", "-ac", "1", "-ar", "24000", "-"],
                         input=data, capture_output=True, check=True)
    return np.frombuffer(out.stdout, np.float32), 24_000


@pytest.fixture(scope="module")
def openai_client(server):
    from openai import OpenAI

    return OpenAI(base_url=server.url + "/v1", api_key=make_key(server, "ada"), max_retries=0, timeout=300)


@pytest.fixture(scope="module")
def eleven(server):
    from elevenlabs import ElevenLabs

    return ElevenLabs(api_key=make_key(server, "eve"), base_url=server.url, timeout=300)


def test_openai_speech_create_returns_the_spoken_text(openai_client, server):
    before = balance(server, "ada")
    response = openai_client.audio.speech.create(model="tts-1", voice="alloy", input="Hello from the studio.",
                                                 response_format="wav")
    samples, rate = sf.read(io.BytesIO(response.content))
    assert rate == 24_000 and 1.0 < len(samples) / rate < 5.0 and np.max(np.abs(samples)) > 0.05
    assert balance(server, "ada") < before  # charged like any generation, and in the history
    assert any(m.id == "kokoro" for m in openai_client.models.list().data)


def test_openai_streaming_starts_before_the_take_is_done(openai_client, server):
    text = PROSE * 6
    with openai_client.audio.speech.with_streaming_response.create(
            model="kokoro", voice="af_heart", input=text, response_format="pcm") as response:
        job_id = response.headers["x-job-id"]
        chunks = response.iter_bytes(4096)
        first = next(chunks)
        status_at_first_byte = job_row(server, job_id)["status"]
        rest = b"".join(chunks)
    assert first and status_at_first_byte == "running"
    pcm = np.frombuffer(first + rest, "<i2")
    assert len(pcm) / 24_000 > 20  # the whole take arrived
    assert job_row(server, job_id)["status"] == "completed"


def test_mp3_and_wav_streams_decode_whole(openai_client):
    for fmt in ("mp3", "wav"):
        with openai_client.audio.speech.with_streaming_response.create(
                model="kokoro", voice="bf_emma", input=PROSE, response_format=fmt) as response:
            data = response.read()
        samples, rate = decode(data)
        assert 5 < len(samples) / rate < 20, fmt


def test_elevenlabs_sdk_convert_stream_voices_history_user(eleven, server):
    audio = b"".join(eleven.text_to_speech.convert(voice_id="am_michael", text="Good morning, everyone.",
                                                   output_format="mp3_44100_128"))
    samples, rate = decode(audio)
    assert len(samples) / rate > 0.8
    streamed = b"".join(eleven.text_to_speech.stream(voice_id="bf_emma", text=PROSE, output_format="pcm_24000"))
    assert len(streamed) / 2 / 24_000 > 5
    voices = eleven.voices.get_all().voices
    assert {"af_heart", "bm_george", "joe"} <= {v.voice_id for v in voices}
    history = eleven.history.list(page_size=10).history
    assert len(history) == 2 and {h.voice_id for h in history} == {"am_michael", "bf_emma"}
    clip = b"".join(eleven.history.get_audio(history_item_id=history[0].history_item_id))
    assert len(decode(clip)[0]) > 0
    user = eleven.user.get()
    assert user.subscription.character_limit - user.subscription.character_count == balance(server, "eve")
    eleven.history.delete(history_item_id=history[0].history_item_id)
    assert len(eleven.history.list().history) == 1


def test_with_timestamps_align_words_to_the_audio(eleven):
    text = "Please call me back tomorrow morning."
    result = eleven.text_to_speech.convert_with_timestamps(voice_id="af_heart", text=text, output_format="mp3_44100_128")
    alignment = result.alignment
    assert "".join(alignment.characters) == text
    starts, ends = alignment.character_start_times_seconds, alignment.character_end_times_seconds
    assert starts == sorted(starts) and all(e >= s for s, e in zip(starts, ends))
    duration = len(decode(__import__("base64").b64decode(result.audio_base_64))[0]) / 24_000
    assert 0.5 < ends[-1] <= duration + 0.1 and starts[text.index("tomorrow")] > starts[text.index("call")]


@pytest.mark.parametrize("headers, body, status, code", [
    ({}, {"model": "tts-1", "input": "hi", "voice": "alloy"}, 401, "missing_api_key"),
    ({"Authorization": "Bearer sk-studio-forged"}, {"model": "tts-1", "input": "hi", "voice": "alloy"}, 401, "invalid_api_key"),
    (None, {"model": "tts-1", "input": "hi", "voice": "nobody"}, 404, "voice_not_found"),
    (None, {"model": "tts-9", "input": "hi", "voice": "alloy"}, 404, "model_not_found"),
    (None, {"model": "tts-1", "input": "   ", "voice": "alloy"}, 400, "invalid_request"),
    (None, {"model": "tts-1", "input": "x" * 10_001, "voice": "alloy"}, 413, "too_large"),
    (None, {"model": "tts-1", "input": "hi", "voice": "alloy", "response_format": "aac"}, 400, "unsupported_format"),
    (None, {"model": "tts-1", "input": "hi", "voice": "alloy", "speed": 9}, 400, "invalid_request"),
    (None, "not json", 422, "invalid_json"),
])
def test_bad_requests_get_json_errors_and_cost_nothing(server, headers, body, status, code):
    key = make_key(server, "bob")
    before = balance(server, "bob")
    headers = {"Authorization": f"Bearer {key}"} if headers is None else headers
    kwargs = {"json": body} if isinstance(body, dict) else {"content": body}
    r = httpx.post(server.url + "/v1/audio/speech", headers=headers, timeout=60, **kwargs)
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code and r.json()["error"]["message"]
    assert balance(server, "bob") == before


@pytest.mark.parametrize("voice, says", [(["alloy"], "must be a voice id string"), (7, "must be a voice id string"),
                                         (None, "is required"), ("", "is required")])
def test_a_voice_of_the_wrong_type_is_told_so_not_that_it_is_missing(server, voice, says):
    key = make_key(server, "bob")
    r = httpx.post(server.url + "/v1/audio/speech", headers={"Authorization": f"Bearer {key}"}, timeout=60,
                   json={"model": "tts-1", "input": "hi", "voice": voice})
    assert r.status_code == 400 and says in r.json()["error"]["message"], r.text


def test_a_json_body_sent_without_a_length_is_refused_once_it_passes_the_limit(server):
    from api.common import JSON_MAX_BYTES

    key = make_key(server, "bob")
    before = balance(server, "bob")

    def body():  # chunked: no Content-Length for the size check at the door to read
        yield b'{"model": "tts-1", "voice": "alloy", "input": "'
        for _ in range(JSON_MAX_BYTES // 4096 + 2):
            yield b"a" * 4096
        yield b'"}'

    r = httpx.post(server.url + "/v1/audio/speech", content=body(), timeout=60,
                   headers={"Authorization": f"Bearer {key}", "content-type": "application/json"})
    assert r.status_code == 413, r.text
    assert r.json()["error"]["code"] == "too_large" and f"{JSON_MAX_BYTES:,} bytes" in r.json()["error"]["message"]
    assert balance(server, "bob") == before


def test_revoked_key_and_no_credits(server):
    db = _db(server)
    credits.ensure_user(db, "poor", 10)
    row, key = apikeys.create(db, "poor", "one")
    r = httpx.post(server.url + "/v1/audio/speech", headers={"xi-api-key": key}, timeout=60,
                   json={"model": "tts-1", "input": "This costs more than ten credits.", "voice": "alloy"})
    assert r.status_code == 402 and "balance is 10" in r.json()["error"]["message"]
    apikeys.revoke(db, "poor", row["id"])
    r = httpx.get(server.url + "/v1/models", headers={"xi-api-key": key}, timeout=30)
    assert r.status_code == 401


def test_keys_of_two_users_see_only_their_own_work(server):
    a, b = make_key(server, "anna"), make_key(server, "ben")
    r = httpx.post(server.url + "/v1/text-to-speech/af_heart", headers={"xi-api-key": a}, timeout=120,
                   json={"text": "Anna's private note."})
    assert r.status_code == 200
    item = r.headers["history-item-id"]
    for path in (f"/v1/history/{item}", f"/v1/history/{item}/audio"):
        assert httpx.get(server.url + path, headers={"xi-api-key": b}, timeout=30).status_code == 404
    assert httpx.delete(server.url + f"/v1/history/{item}", headers={"xi-api-key": b}, timeout=30).status_code == 404
    listed = httpx.get(server.url + "/v1/history", headers={"xi-api-key": b}, timeout=30).json()["history"]
    assert item not in {h["history_item_id"] for h in listed}
    assert httpx.get(server.url + f"/v1/history/{item}/audio", headers={"xi-api-key": a}, timeout=30).status_code == 200


def test_a_client_that_disconnects_mid_stream_is_refunded_for_the_rest(server):
    key = make_key(server, "quitter")
    before = balance(server, "quitter")
    with httpx.stream("POST", server.url + "/v1/audio/speech", headers={"Authorization": f"Bearer {key}"}, timeout=120,
                      json={"model": "kokoro", "input": PROSE * 12, "voice": "af_heart", "response_format": "pcm"}) as r:
        job_id = r.headers["x-job-id"]
        next(r.iter_bytes(1024))
    deadline = time.monotonic() + 60
    while job_row(server, job_id)["status"] == "running" and time.monotonic() < deadline:
        time.sleep(0.2)
    row = job_row(server, job_id)
    assert row["status"] == "cancelled"
    charged = before - balance(server, "quitter")
    assert 0 <= charged < row["cost"]  # only the part rendered before the client left


def test_concurrent_requests_all_succeed(server):
    key = make_key(server, "crowd")
    results = []

    def call(i):
        r = httpx.post(server.url + "/v1/audio/speech", headers={"Authorization": f"Bearer {key}"}, timeout=300,
                       json={"model": "piper", "input": f"Request number {i} is here.", "voice": "joe",
                             "response_format": "wav"})
        results.append(r.status_code)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert results == [200] * 4


def test_sound_generation_and_speech_to_speech(server, asterisk_wav):
    key = make_key(server, "sam")
    r = httpx.post(server.url + "/v1/sound-generation", headers={"xi-api-key": key}, timeout=120,
                   json={"text": "heavy rain on a tin roof", "duration_seconds": 2})
    assert r.status_code == 200, r.text
    samples, rate = decode(r.content)
    assert len(samples) / rate == pytest.approx(2.0, abs=0.15)
    r = httpx.post(server.url + "/v1/speech-to-speech/am_michael?output_format=wav_24000", headers={"xi-api-key": key},
                   timeout=300, files={"audio": ("intro.wav", asterisk_wav.read_bytes(), "audio/wav")})
    assert r.status_code == 200, r.text
    assert sf.info(io.BytesIO(r.content)).duration > 2


def test_rate_limiter_refuses_past_the_budget_then_recovers():
    from api.auth import RateLimiter

    limiter = RateLimiter(per_minute=3)
    assert [limiter.take("k") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.take("k")
    assert 0 < wait <= 20.0
    assert limiter.take("other") == 0.0


LEXICON = b"""<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="en-US">
  <lexeme><grapheme>Qwyrk</grapheme><alias>pancake</alias></lexeme>
</lexicon>"""


def test_pronunciation_dictionaries_through_the_elevenlabs_sdk(server):
    from elevenlabs import ElevenLabs, PronunciationDictionaryVersionLocator
    from elevenlabs.core import ApiError

    from audiokit import Audio
    from engines import whisper

    lex = ElevenLabs(api_key=make_key(server, "lex"), base_url=server.url, timeout=300)
    other = ElevenLabs(api_key=make_key(server, "noa"), base_url=server.url, timeout=300)
    made = lex.pronunciation_dictionaries.create_from_file(name="brand names", file=("names.pls", LEXICON, "application/pls+xml"))
    assert made.id == "personal" and made.version_rules_num == 1
    [listed] = lex.pronunciation_dictionaries.list().pronunciation_dictionaries  # single-user server: no team one
    assert listed.id == "personal" and listed.latest_version_id == made.version_id and listed.latest_version_rules_num == 1
    pls = b"".join(lex.pronunciation_dictionaries.download(dictionary_id="personal", version_id=made.version_id))
    assert b"Qwyrk" in pls and b"pancake" in pls
    # each user's dictionary is their own
    assert other.pronunciation_dictionaries.list().pronunciation_dictionaries[0].latest_version_rules_num == 0
    # speech with the locator says the word as the dictionary does
    locator = PronunciationDictionaryVersionLocator(pronunciation_dictionary_id="personal", version_id=made.version_id)
    audio = b"".join(lex.text_to_speech.convert(voice_id="af_heart", text="Qwyrk for breakfast.", output_format="pcm_24000",
                                                pronunciation_dictionary_locators=[locator]))
    heard = whisper.transcribe(Audio(np.frombuffer(audio, "<i2").astype(np.float32) / 32768, 24_000))
    assert "pancake" in heard.lower(), heard
    # a dictionary this studio does not have is refused before anything is charged
    before = balance(server, "lex")
    with pytest.raises(ApiError) as refused:
        b"".join(lex.text_to_speech.convert(voice_id="af_heart", text="Hello.", pronunciation_dictionary_locators=[
            PronunciationDictionaryVersionLocator(pronunciation_dictionary_id="team")]))
    assert refused.value.status_code == 404 and "pronunciation_dictionary_not_found" in str(refused.value.body)
    assert balance(server, "lex") == before
    # a file that is not a lexicon changes nothing and says why
    with pytest.raises(ApiError) as bad:
        lex.pronunciation_dictionaries.create_from_file(name="x", file=("names.pls", b"<lexicon", "application/pls+xml"))
    assert bad.value.status_code in (400, 422)
    assert lex.pronunciation_dictionaries.list().pronunciation_dictionaries[0].latest_version_id == made.version_id


def test_pronunciation_dictionary_rules_through_the_elevenlabs_sdk(server):
    from elevenlabs import ElevenLabs
    from elevenlabs.core import ApiError
    from elevenlabs.pronunciation_dictionaries.rules.types import (
        BodySetRulesOnThePronunciationDictionaryV1PronunciationDictionariesPronunciationDictionaryIdSetRulesPostRulesItem_Alias as SetAlias,
        PronunciationDictionaryRule_Alias as Alias, PronunciationDictionaryRule_Phoneme as Phoneme)

    from studio import lexicon

    rules = ElevenLabs(api_key=make_key(server, "rul"), base_url=server.url, timeout=60).pronunciation_dictionaries
    other = ElevenLabs(api_key=make_key(server, "oth"), base_url=server.url, timeout=60).pronunciation_dictionaries
    other.rules.add(pronunciation_dictionary_id="personal", rules=[Alias(string_to_replace="Nguyen", alias="new-yen")])

    def entries(user="rul"):
        return {e["word"]: e["pronunciation"] for e in lexicon.entries(_db(server), user)}

    added = rules.rules.add(pronunciation_dictionary_id="personal", rules=[
        Alias(string_to_replace="Nguyen", alias="win"),
        Phoneme(string_to_replace="tomato", phoneme="təˈmɑːtoʊ", alphabet="ipa"),
        Phoneme(string_to_replace="talon", phoneme="T AE1 L AH0 N", alphabet="cmu-arpabet")])
    assert added.id == "personal" and added.version_rules_num == 3
    assert entries() == {"Nguyen": "win", "tomato": "/təˈmɑːtoʊ/", "talon": "/tˈælən/"}  # ARPAbet as IPA
    pls = b"".join(rules.download(dictionary_id="personal", version_id=added.version_id)).decode()
    assert "<grapheme>talon</grapheme>" in pls and "<phoneme>tˈælən</phoneme>" in pls and "<alias>win</alias>" in pls
    assert rules.get(pronunciation_dictionary_id="personal").latest_version_id == added.version_id
    # the same word in another case replaces the rule
    replaced = rules.rules.add(pronunciation_dictionary_id="personal",
                               rules=[Alias(string_to_replace="NGUYEN", alias="nuh-win", case_sensitive=False)])
    assert replaced.version_rules_num == 3 and replaced.version_id != added.version_id
    assert entries()["NGUYEN"] == "nuh-win" and "Nguyen" not in entries()
    # a bad rule anywhere in a batch, or a meaning the studio cannot keep: 422 naming it, nothing changed
    before = entries()
    for batch, message in [
        ([Alias(string_to_replace="GIF", alias="jif"), Phoneme(string_to_replace="bogus", phoneme="B OO1 G",
                                                               alphabet="cmu-arpabet")], "rules[1]: The ARPAbet"),
        ([Alias(string_to_replace="GIF", alias="jif", case_sensitive=True)], "case_sensitive: true` cannot be honoured"),
        ([Phoneme(string_to_replace="GIF", phoneme="k{t", alphabet="x-sampa")], "alphabet 'x-sampa'"),
        ([Alias(string_to_replace="x" * 101, alias="jif")], "rules[0]: The word or phrase"),
    ]:
        with pytest.raises(ApiError) as refused:
            rules.rules.add(pronunciation_dictionary_id="personal", rules=batch)
        assert refused.value.status_code == 422 and message in refused.value.body["detail"]["message"], refused.value.body
    assert entries() == before
    # remove ignores a word that is not there; set leaves exactly its rules
    removed = rules.rules.remove(pronunciation_dictionary_id="personal", rule_strings=["nguyen", "not there"])
    assert removed.version_rules_num == 2 and set(entries()) == {"tomato", "talon"}
    done = rules.rules.set(pronunciation_dictionary_id="personal", rules=[SetAlias(string_to_replace="SQL", alias="sequel")])
    assert done.version_rules_num == 1 and entries() == {"SQL": "sequel"}
    # an id this studio does not have (the team's, in single-user mode) is 404
    for dictionary_id in ("team", "rKHm5cDQGpsI8q2tHiFq"):
        with pytest.raises(ApiError) as missing:
            rules.rules.remove(pronunciation_dictionary_id=dictionary_id, rule_strings=["SQL"])
        assert missing.value.status_code == 404 and "pronunciation_dictionary_not_found" in str(missing.value.body)
    # the other user's dictionary never changed
    assert entries("oth") == {"Nguyen": "new-yen"}


@pytest.mark.parametrize("route, body, message", [
    ("add-rules", b"not json", "must be a JSON object"),
    ("add-rules", b"[]", "must be a JSON object"),
    ("add-rules", b"[" * 100_000, "must be a JSON object"),  # nested past the parser's depth
    ("add-rules", b'{"rules": {"type": "alias"}}', "`rules` must be a list, got dict"),
    ("add-rules", b'{"rules": [{"type": "respell", "string_to_replace": "a", "alias": "b"}]}', "rules[0]: `type` must be"),
    ("add-rules", b'{"rules": [{"type": "alias", "string_to_replace": "a"}]}', "needs the string `alias`; it is missing"),
    ("add-rules", b'{"rules": [{"type": "phoneme", "string_to_replace": "a", "phoneme": "b"}]}', "needs `alphabet`"),
    ("add-rules", b'{"rules": [{"type": "alias", "string_to_replace": "a", "alias": "b", "word_boundaries": false}]}',
     "`word_boundaries: false` cannot be honoured"),
    ("add-rules", b'{"rules": [{"type": "alias", "string_to_replace": "a", "alias": "/b/"}]}', "contains a slash"),
    ("set-rules", b'{"rules": [{"type": "alias", "string_to_replace": "a", "alias": "b"}, 7]}', "rules[1]: a rule is an object"),
    ("remove-rules", b'{"rule_strings": ["a", 3]}', "rule_strings[1] must be a string"),
])
def test_malformed_rules_are_refused_and_change_nothing(server, route, body, message):
    key = make_key(server, "mal")
    headers = {"xi-api-key": key, "content-type": "application/json"}
    url = f"{server.url}/v1/pronunciation-dictionaries/personal"
    httpx.post(f"{url}/set-rules", headers=headers, json={"rules": [{"type": "alias", "string_to_replace": "a", "alias": "ay"}]})
    version = httpx.get(url, headers=headers).json()["latest_version_id"]
    response = httpx.post(f"{url}/{route}", headers=headers, content=body)
    assert response.status_code == 422 and message in response.json()["detail"]["message"], response.text
    assert httpx.get(url, headers=headers).json()["latest_version_id"] == version


def test_a_checked_render_through_the_api_reports_in_the_history_item(server):
    from elevenlabs import ElevenLabs
    from elevenlabs.core import ApiError

    key = make_key(server, "chk")
    client = ElevenLabs(api_key=key, base_url=server.url, timeout=300)
    before = balance(server, "chk")
    response = httpx.post(f"{server.url}/v1/text-to-speech/af_heart", headers={"xi-api-key": key}, timeout=300,
                          json={"text": "Good morning, and thank you for calling.", "checked": True})
    assert response.status_code == 200, response.text
    item = client.history.get(history_item_id=response.headers["history-item-id"])
    check = item.settings["check"]
    assert item.settings["checked"] is True and check["chunks"] == 1 and check["unchecked"] == []
    cost = job_row(server, item.history_item_id)["cost"]
    assert before - balance(server, "chk") == cost
    plain = httpx.post(f"{server.url}/v1/text-to-speech/af_heart", headers={"xi-api-key": key}, timeout=300,
                       json={"text": "Good morning, and thank you for calling."})
    assert "check" not in client.history.get(history_item_id=plain.headers["history-item-id"]).settings
    assert cost > job_row(server, plain.headers["history-item-id"])["cost"]  # the check is priced, as on the page
    with pytest.raises(ApiError) as bad:
        b"".join(client.text_to_speech.convert(voice_id="af_heart", text="Hi.", request_options={
            "additional_body_parameters": {"checked": "yes"}}))
    assert bad.value.status_code == 422 and "checked" in str(bad.value.body)


def test_an_upload_sent_without_a_length_is_refused_once_it_passes_the_limit(server):
    from studio import lexicon

    key = make_key(server, "big")
    boundary = "studio-test-boundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nbig\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n"
            "Content-Type: text/csv\r\n\r\nword,pronunciation\r\n").encode()
    row = b"Qwyrk,pancake\r\n"

    def body():  # chunked: no Content-Length for the size check at the door to read
        yield head
        for _ in range(lexicon.MAX_FILE_BYTES // len(row) + 10):
            yield row
        yield f"\r\n--{boundary}--\r\n".encode()

    response = httpx.post(f"{server.url}/v1/pronunciation-dictionaries/add-from-file", content=body(), timeout=120,
                          headers={"xi-api-key": key, "content-type": f"multipart/form-data; boundary={boundary}"})
    assert response.status_code == 413, response.text
    assert response.json()["detail"]["status"] == "too_large" and f"{lexicon.MAX_FILE_BYTES:,} bytes" in response.json()["detail"]["message"]
    listed = httpx.get(f"{server.url}/v1/pronunciation-dictionaries", headers={"xi-api-key": key}).json()
    assert listed["pronunciation_dictionaries"][0]["latest_version_rules_num"] == 0  # nothing stored
