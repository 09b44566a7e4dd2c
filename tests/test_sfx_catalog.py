"""The catalogue, the numpy MiniLM encoder and matching prompts by meaning."""
from __future__ import annotations

import zipfile

import numpy as np
import pytest

from audiokit.errors import InvalidInput
from engines.sfx.common import NeedsConfirmation, SFXRequest
from engines.sfx.lib import assets
from engines.sfx.lib.catalog import CATALOG_PATH, load_entries, load_gaps
from tests.sfx_fixtures import sfx_assets, sfx_engine  # noqa: F401

# A listener's label set (issue 13): every one of these must be in the catalogue.
EVERYDAY = """door_knock door_creak door_slam gunshot glass_break crowd applause bell chime phone_ring alarm siren
    keyboard_typing mouse_click heartbeat water_drip water_pour water_splash ocean_waves clock_tick car_engine car_pass
    helicopter footsteps_gravel footsteps_wood footsteps_concrete footsteps_snow paper cloth fire rain thunder wind birds
    dog cat coin laser explosion whoosh engine_hum stream cow horse""".split()


def test_encoder_matches_transformers_bert(sfx_engine):
    """Our numpy forward pass gives the same sentence vectors as transformers' BertModel."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    folder = assets.library_dir("minilm")
    texts = ["heavy rain on a tin roof", "a dog barks twice in a large hall", "retro laser shot, pew pew!"]
    ours = sfx_engine.catalog.encoder.encode(texts)
    model = transformers.BertModel.from_pretrained(str(folder)).eval()
    tokenizer = transformers.AutoTokenizer.from_pretrained(str(folder))
    batch = tokenizer(texts, padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    reference = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=1).numpy()
    assert np.abs(ours - reference).max() < 1e-4
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_every_bundled_sound_is_catalogued(sfx_assets):
    entries, rooms = load_entries()
    recorded = {(e.library, e.file) for e in entries if e.source == "recording"}
    for library, suffix in (("kenney", ".wav"), ("bigsoundbank", ".mp3")):
        files = {p.name for p in assets.library_dir(library).iterdir() if p.suffix == suffix}
        assert files, f"{library} has no {suffix} files"
        assert {(library, f) for f in files} <= recorded, f"uncatalogued {library} sounds"
    assert len([e for e in entries if e.library == "kenney"]) == 55
    assert len([e for e in entries if e.library == "bigsoundbank"]) == 10
    assert all(e.description and e.aliases for e in entries)
    assert {r.id for r in rooms} >= {"outdoors", "large_hall", "cave"}


@pytest.mark.parametrize("prompt, category", [
    ("heavy rain on a tin roof", "rain"),
    ("distant thunder rumbling", "thunder"),
    ("a dog barking", "dog"),
    ("retro laser shot", "laser"),
    ("collect a gold coin", "coin"),
    ("a huge explosion", "explosion"),
    ("wind howling through the trees", "wind"),
    ("crackling campfire", "fire"),
    ("footsteps crunching on gravel", "footsteps_gravel"),
    ("a rooster crowing at sunrise", "rooster"),
    ("police car siren", "siren"),
    ("level up power up sound", "powerup"),
    ("someone knocking on the door", "door_knock"),
    ("a window shatters", "glass_break"),
    ("typing on a keyboard", "keyboard_typing"),
    ("a room full of people talking", "crowd"),
    ("a helicopter flying overhead", "helicopter"),
    ("a leaky tap dripping", "water_drip"),
    ("the audience applauds", "applause"),
    ("a heart beating", "heartbeat"),
])
def test_search_finds_the_intended_category(sfx_engine, prompt, category):
    best = sfx_engine.catalog.search([prompt], k=3)[0][0]
    assert best.entry.category == category, f"{prompt!r} → {best.entry.id} ({best.score:.2f})"
    assert best.score > 0.5


def test_the_catalogue_covers_the_everyday_categories(sfx_assets):
    entries, _ = load_entries()
    categories = {e.category for e in entries}
    assert set(EVERYDAY) <= categories, sorted(set(EVERYDAY) - categories)
    assert len(categories) >= 40
    assert {"frog", "owl", "pig", "sheep", "duck", "rooster", "jump", "error", "gameover"} <= categories  # kept
    assert not categories & {"waves", "engine", "clock", "footsteps"}  # renamed to the listener's names


def test_every_source_says_its_licence_and_none_is_copyleft(sfx_assets):
    entries, _ = load_entries()
    for e in entries:
        assert e.licence, e.id
        assert "GPL" not in e.licence and "SA" not in e.licence, e.id
        if e.source == "recording":
            assert e.licence == "CC0-1.0", e.id
    notice = (CATALOG_PATH.parents[3] / "NOTICE.md").read_text()
    assert "Kenney" in notice and "BigSoundBank" in notice


def test_known_gaps_are_listed_and_matched(sfx_engine):
    gaps = load_gaps()
    assert len(gaps) >= 5 and all(g.title and g.aliases for g in gaps)
    found = sfx_engine.catalog.search_gaps(["a violin playing a melody", "a baby crying"])
    assert [m.entry.id for m in found] == ["gap/music", "gap/speech"]


# Written for these tests from how people describe sounds, mostly without the catalogue's words.
SERVED = [
    ("rapping knuckles on the front door", "door_knock"), ("a pistol fired once", "gunshot"),
    ("a wine glass falls and shatters on the floor", "glass_break"), ("chatter in a busy restaurant", "crowd"),
    ("clattering keys of a computer keyboard", "keyboard_typing"), ("a tap dripping in the kitchen sink", "water_drip"),
    ("trudging through deep snow", "footsteps_snow"), ("footsteps on creaky floorboards", "footsteps_wood"),
    ("chopper blades thumping", "helicopter"), ("a vehicle whizzing by on the highway", "car_pass"),
    ("the tick tock of a grandfather clock", "clock_tick"), ("a creek trickling over rocks", "stream"),
]
UNCOVERED = ["a violin solo", "a chainsaw cutting wood", "a lion roaring", "someone sneezing", "a jet plane taking off",
             "a toilet flushing", "a choir singing", "crickets at night"]


@pytest.mark.parametrize("prompt, category", SERVED)
def test_everyday_phrasings_are_served_confidently(sfx_engine, prompt, category):
    plan = sfx_engine.check(SFXRequest(prompt, duration=2.0, seed=1)).plan
    assert plan["layers"][0]["category"] == category
    assert not plan["needs_confirmation"] and plan["confidence"] >= 0.5


@pytest.mark.parametrize("prompt", UNCOVERED)
def test_sounds_the_library_lacks_are_not_served_silently(sfx_engine, prompt):
    with pytest.raises(InvalidInput) as error:  # NeedsConfirmation is one
        sfx_engine.check(SFXRequest(prompt, duration=2.0, seed=1))
    if isinstance(error.value, NeedsConfirmation):
        assert error.value.plan["needs_confirmation"] and error.value.plan["confidence"] < 0.5
        assert "closest available:" in str(error.value)
    else:
        assert "Nearest:" in str(error.value)


def test_rooms_are_matched_by_meaning(sfx_engine):
    found = sfx_engine.catalog.search_rooms(["in a large hall", "inside a cave", "in a church"], k=1)
    assert [m[0].entry.id for m in found] == ["large_hall", "cave", "cathedral"]


def test_recordings_decode_and_split_into_events(sfx_engine):
    dog = sfx_engine.catalog.by_id["bigsoundbank/dog"]
    audio = sfx_engine.catalog.recording(dog)
    assert audio.dtype == np.float32 and len(audio) > 44_100 * 3
    events = sfx_engine.catalog.events(dog)
    assert len(events) >= 5  # the recording has about a dozen barks
    assert all(0 <= a < b <= len(audio) for a, b in events)
    sheep = sfx_engine.catalog.events(sfx_engine.catalog.by_id["bigsoundbank/sheep"])
    assert len(sheep) == 1


@pytest.mark.parametrize("body, message", [
    ('[[synth]]\nid = "x"\nrecipe = "rain"\ncategory = "rain"\nkind = "loop"\ntitle = "X"\ndescription = "d"\n', "kind must be"),
    ('[[synth]]\nid = "x"\nrecipe = "nope"\ncategory = "rain"\nkind = "bed"\ntitle = "X"\ndescription = "d"\n', "recipe must be"),
    ('[[sound]]\nid = "x"\ncategory = "c"\nkind = "bed"\ntitle = "X"\ndescription = "d"\nlibrary = "z"\nfile = "a.wav"\n', "needs library"),
    ('[[sound]]\nid = "x"\ncategory = "c"\nkind = "bed"\ntitle = "X"\ndescription = "d"\nlibrary = "kenney"\nfile = "a.wav"\n', "licence"),
    ('[[synth]]\nid = "x"\nrecipe = "rain"\ncategory = "rain"\nkind = "bed"\ntitle = "X"\ndescription = "d"\nroom = "moon"\n', "room must be"),
    ('[[synth]]\nid = "x"\nrecipe = "rain"\ncategory = "rain"\nkind = "bed"\ntitle = "X"\n', "non-empty description"),
])
def test_catalogue_errors_name_the_entry_and_field(tmp_path, body, message):
    path = tmp_path / "catalog.toml"
    path.write_text(body)
    with pytest.raises(ValueError, match=message) as error:
        load_entries(path)
    assert "'x'" in str(error.value)


def test_catalogue_cache_is_reused(sfx_engine, tmp_path):
    from engines.sfx.lib.catalog import Catalog

    first = Catalog(sfx_engine.catalog.encoder, CATALOG_PATH, cache_dir=tmp_path)
    cached = list(tmp_path.glob("catalog-*.npy"))
    assert len(cached) == 3  # the sources, the rooms and the known gaps
    second = Catalog(sfx_engine.catalog.encoder, CATALOG_PATH, cache_dir=tmp_path)
    assert np.array_equal(first._entry_vecs, second._entry_vecs)


def test_missing_assets_are_reported(monkeypatch, tmp_path):
    monkeypatch.setenv("STUDIO_MODELS_DIR", str(tmp_path))
    monkeypatch.setattr(assets, "_installed", lambda lib: None)
    assert set(assets.missing()) == {lib.requirement for lib in assets.LIBRARIES.values()}
    from engines import registry

    assert "make assets" in registry.get("sfx_library").probe()
    info = next(i for i in registry.info("sfx") if i.id == "sfx_library")
    assert not info.available and "make assets" in info.reason


def test_extract_keeps_only_the_library_files(tmp_path):
    wheel = tmp_path / "fake.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("arcade/resources/assets/sounds/coin1.wav", b"RIFF")
        zf.writestr("arcade/resources/assets/sounds/../../evil.wav", b"x")
        zf.writestr("arcade/resources/assets/sounds/notes.url", b"x")
        zf.writestr("arcade/other.py", b"x")
    target = tmp_path / "kenney"
    assert assets._extract(wheel, assets.LIBRARIES["kenney"], target) == 1
    assert [p.name for p in target.rglob("*") if p.is_file()] == ["coin1.wav"]
