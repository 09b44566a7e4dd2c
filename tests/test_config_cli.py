"""Settings, the operator command line and the team-mode users file."""
import subprocess
import sys
from pathlib import Path

import bcrypt
import numpy as np
import pytest
import yaml

from engines import assets
from studio import config, users
from studio.errors import InvalidInput

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_then_file_then_environment(tmp_path):
    toml = tmp_path / "studio.toml"
    toml.write_text('workers = 3\nauth = "team"\n[storage]\nbackend = "s3"\nbucket = "b1"\n[prices.tts]\nper_generation = 7\n')
    s = config.load(toml, env={})
    assert (s.workers, s.auth, s.storage.backend, s.storage.bucket) == (3, "team", "s3", "b1")
    assert s.prices["tts"] == {"per_generation": 7} and s.prices["vc"]["per_generation"] == 50
    s = config.load(toml, env={"STUDIO_WORKERS": "5", "STUDIO_S3_BUCKET": "b2"})
    assert (s.workers, s.storage.bucket) == (5, "b2")
    assert config.load(tmp_path / "missing.toml", env={}).auth == "single"


@pytest.mark.parametrize("text, message", [
    ('auth = "everyone"', "auth must be 'single' or 'team'"),
    ("workers = 0", "workers must be 1–64"),
    ("colour = 1", "unknown settings"),
    ('[storage]\nbackend = "ftp"', "storage backend must be 'local' or 's3'"),
    ("[prices.tts]\nper_minute = 1", "units are per_generation, per_character, per_second"),
    ("[prices.tts]\nper_generation = nan", "each a finite number ≥ 0"),
    ("[prices.tts]\nper_character = -0.01", "each a finite number ≥ 0"),
    ("[prices.tts]\nper_generation = 0\nper_character = 0", "at least one unit must be above 0"),
    ("registration_credits = -5", "registration_credits must be a whole number"),
    ("heartbeat_seconds = 5\nworker_timeout = 6", "must be more than twice"),
    ("workers = 2\nworkers = 3", "not valid TOML"),
    ("[storage]\nendpoint = 'x'", r"unknown \[storage\] settings"),
])
def test_bad_settings_name_the_problem(tmp_path, text, message):
    toml = tmp_path / "studio.toml"
    toml.write_text(text)
    with pytest.raises(ValueError, match=message):
        config.load(toml, env={})


def cli(tmp_path, *args, stdin=""):
    env = {"STUDIO_DATA_DIR": str(tmp_path / "data"), "STUDIO_USERS_FILE": str(tmp_path / "users.yaml"),
           "STUDIO_CONFIG": str(tmp_path / "none.toml"), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "studio.cli", *args], cwd=ROOT, env=env, input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_operator_grants_credits(tmp_path):
    assert cli(tmp_path, "grant", "alice", "2500").stdout.strip() == "alice: 12,500 credits"
    assert cli(tmp_path, "balance", "alice").stdout.strip() == "alice: 12,500 credits"
    out = cli(tmp_path, "grant", "alice", "-999999")
    assert out.returncode == 2 and "below zero" in out.stderr
    assert cli(tmp_path, "grant", "alice", "lots").returncode == 2  # argparse: not a number


def test_add_user_writes_a_bcrypt_hash(tmp_path):
    out = cli(tmp_path, "add-user", "alice", "--name", "Alice", stdin="a long password\n")
    assert out.returncode == 0, out.stderr
    data = yaml.safe_load((tmp_path / "users.yaml").read_text())
    entry = data["credentials"]["usernames"]["alice"]
    assert entry["name"] == "Alice" and bcrypt.checkpw(b"a long password", entry["password"].encode())
    assert cli(tmp_path, "add-user", "alice", stdin="another password\n").returncode == 2


@pytest.mark.parametrize("name, password, message", [
    ("Al ice", "long enough pw", "must be 2–32"),
    ("../etc", "long enough pw", "must be 2–32"),
    ("alice", "short", "at least 8"),
    ("alice", "x" * 80, "at most 72 bytes"),
])
def test_bad_user_entries(tmp_path, name, password, message):
    with pytest.raises(InvalidInput, match=message):
        users.add_user(tmp_path / "u.yaml", name, password)


def test_voice_packs_are_packed_for_kokoro_onnx(tmp_path):
    a, b = tmp_path / "af_test.bin", tmp_path / "bm_test.bin"
    np.arange(2 * 256, dtype=np.float32).tofile(a)
    np.ones(3 * 256, dtype=np.float32).tofile(b)
    names = assets.pack_voices([a, b], tmp_path / "v.npz")
    packed = np.load(tmp_path / "v.npz")
    assert names == ["af_test", "bm_test"] and packed["af_test"].shape == (2, 1, 256)
    bad = tmp_path / "bad.bin"
    np.ones(100, dtype=np.float32).tofile(bad)
    with pytest.raises(ValueError, match="not a whole number of 256-d"):
        assets.pack_voices([bad], tmp_path / "x.npz")


def test_fetched_assets_are_in_place():
    assert assets.kokoro_model_path().stat().st_size > 80_000_000
    assert len(np.load(assets.kokoro_voices_path()).files) == 28


def test_registration_settings_from_file_and_environment(tmp_path):
    toml = tmp_path / "studio.toml"
    toml.write_text('allow_registration = true\nregistration_credits = 250\nregistration_email_domains = ["Example.org"]\n')
    s = config.load(toml, env={})
    assert (s.allow_registration, s.registration_credits, s.registration_email_domains) == (True, 250, ("example.org",))
    s = config.load(toml, env={"STUDIO_REGISTRATION_INVITE_CODE": "heron", "STUDIO_REGISTRATION_EMAIL_DOMAINS": "a.org, b.org"})
    assert s.registration_invite_code == "heron" and s.registration_email_domains == ("a.org", "b.org")
    assert config.load(tmp_path / "missing.toml", env={}).allow_registration is False  # off by default


def test_check_and_sweep_commands(tmp_path):
    from studio.storage import make_key

    out = cli(tmp_path, "check")
    assert out.returncode == 0 and out.stdout.startswith("ok:"), out.stderr
    orphan = tmp_path / "data" / "objects" / make_key("alice", "tts", "a" * 32, "result")
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"RIFF-left-by-a-crash")
    kept = cli(tmp_path, "sweep")  # young objects are left alone (a write may be in flight)
    assert kept.returncode == 0 and '"orphans_too_young": 1' in kept.stdout and orphan.exists()
    out = cli(tmp_path, "sweep", "--min-age", "0")
    assert out.returncode == 0 and '"orphans_removed": 1' in out.stdout, out.stderr
    assert not orphan.exists()


def test_cli_reports_a_broken_configuration_without_a_traceback(tmp_path):
    (tmp_path / "none.toml").write_text("workers = 0\n")
    out = cli(tmp_path, "balance", "alice")
    assert out.returncode == 2 and "workers must be 1–64" in out.stderr and "Traceback" not in out.stderr
