"""StyleTTS2 (yl4579/StyleTTS2, MIT): the original design's text-to-speech, an optional engine.

It speaks in the style of a reference clip: each of the 28 stock voices (their reference
clip rendered once by Kokoro, as the voice changer's targets are) or, zero-shot, any clip
passed as ``StyleTTS2Request.reference`` (a user's saved voice or an upload). Its own knobs
are request settings: ``alpha`` (timbre: 0 = the reference's, 1 = the text's), ``beta``
(prosody, the same way), ``diffusion_steps`` and ``embedding_scale`` (guidance towards the
text: higher is more expressive).

What it needs beyond the default install:

- the model code of the PyPI ``styletts2`` package (MIT; installed with ``--no-deps``, since
  its pins — transformers<5, huggingface-hub<0.20, librosa<0.11, langchain, gruut — would
  downgrade the studio; ``requirements-styletts2.txt`` lists the few packages its model
  code imports). Only its model modules are used; its ``tts.py`` (which downloads NLTK data
  and reference audio at import) is not.
- torchaudio's few functions it calls, from :mod:`engines.torchaudio_compat` while the model
  code is imported (torchaudio cannot be installed beside this torch).
- espeak-ng phonemes (what the LibriTTS model was trained on) through ``phonemizer``, with
  the library from the ``espeakng-loader`` wheel that the default install already has (for
  Kokoro), or a system ``libespeak-ng``.
- the LibriTTS multi-speaker checkpoint and its config from the Hugging Face hub
  (``yl4579/StyleTTS2-LibriTTS``: ``Models/LibriTTS/epochs_2nd_00020.pth`` and
  ``config.yml``), in the standard hub cache (``python -m engines.tts.styletts2 download``, with
  progress) or in the folder ``STUDIO_STYLETTS2_DIR`` (the same relative paths, or the two
  files side by side).

The checkpoint holds every sub-model's weights (PL-BERT included), so nothing else is
downloaded; PL-BERT's architecture comes from the package's ``Utils/PLBERT/config.yml``.
"""
from __future__ import annotations

import ctypes.util
import importlib.util
import logging
import math
import os
import re
import sys
import threading
import time
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from audiokit import Audio, Cancel, Progress
from audiokit import dsp
from audiokit.errors import EngineUnavailable, InvalidInput
from engines.contract import Setting, Voice, stop_if
from engines.hub import progress_tqdm
from engines.tts.common import ChunkedTTS, ChunkHook, TTSRequest, check_request
from engines.tts.kokoro import VOICES as STOCK_VOICES
from engines.tts.g2p import ESPEAK_LOCK
from engines.tts.normalize import PHONEME_SPAN

log = logging.getLogger(__name__)

HUB_REPO = "yl4579/StyleTTS2-LibriTTS"
CHECKPOINT = "Models/LibriTTS/epochs_2nd_00020.pth"
CONFIG = "Models/LibriTTS/config.yml"
ENV_DIR = "STUDIO_STYLETTS2_DIR"
PACKAGE = "styletts2==0.1.6"
SAMPLE_RATE = 24_000
INSTALL_HINT = f"Run `pip install -r requirements-styletts2.txt && pip install --no-deps {PACKAGE}`."
MODULES = (("torch", "torch"), ("transformers", "transformers"), ("styletts2", "styletts2"), ("munch", "munch"),
           ("einops", "einops"), ("einops_exts", "einops-exts"), ("yaml", "pyyaml"), ("scipy", "scipy"),
           ("phonemizer", "phonemizer"))

# The knobs, their ranges and upstream's defaults (Demo/Inference_LibriTTS.ipynb).
ALPHA_DEFAULT, BETA_DEFAULT, STEPS_DEFAULT, EMBEDDING_SCALE_DEFAULT = 0.3, 0.7, 5, 1.0
STEPS_MIN, STEPS_MAX = 2, 50
EMBEDDING_SCALE_MAX = 10.0
STYLE_CONTINUITY = 0.7  # long texts: each part's style leans this much on the previous part's (upstream's t)
REFERENCE_MIN_SECONDS, REFERENCE_MAX_SECONDS = 1.0, 30.0
MAX_TOKENS = 510  # PL-BERT's 512 positions, less the start token
END_PULSE_SAMPLES = 50  # upstream cuts a click the decoder leaves at the very end
MEL_MEAN, MEL_STD = -4.0, 4.0
# Harvard sentences (IEEE 1969, public domain): about 5 s of a stock voice to take its style from
# (LibriTTS utterances, which the style encoder learnt from, are mostly 2–10 s).
REFERENCE_TEXT = "The birch canoe slid on the smooth planks. Glue the sheet to the dark blue background."


@dataclass(frozen=True)
class StyleTTS2Request(TTSRequest):
    """A TTS request with StyleTTS2's own settings; ``None`` means the model's default."""

    reference: Audio | None = None  # zero-shot: speak in this clip's voice (``voice`` is then its label)
    alpha: float | None = None  # 0–1: timbre from the reference (0) or from the text (1); default 0.3
    beta: float | None = None  # 0–1: prosody the same way; default 0.7
    diffusion_steps: int | None = None  # 2–50, default 5: more is more varied and slower
    embedding_scale: float | None = None  # 0–10, default 1: guidance towards the text, higher is more expressive


# -- finding the files ----------------------------------------------------------------------------
def local_dir() -> Path | None:
    value = os.environ.get(ENV_DIR)
    return Path(value).expanduser() if value else None


def resolve(filename: str, folder: Path | None = None, cache_dir: str | Path | None = None) -> Path | None:
    """Where ``filename`` (a path in the hub repo) is here: the local folder first (the hub's
    relative path, or the bare file name), then the hub cache; None when absent."""
    folder = folder if folder is not None else local_dir()
    if folder is not None:
        for path in (folder / filename, folder / Path(filename).name):
            if path.is_file() and path.stat().st_size > 0:
                return path
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(HUB_REPO, filename, cache_dir=cache_dir)
    if isinstance(found, str) and os.path.isfile(found) and os.path.getsize(found) > 0:
        return Path(found)
    return None


def missing_modules() -> list[str]:
    return [package for module, package in MODULES if importlib.util.find_spec(module) is None]


def espeak_library() -> str | None:
    """The espeak-ng shared library phonemizer will use: the espeakng-loader wheel's, else the system's."""
    if importlib.util.find_spec("espeakng_loader") is not None:
        import espeakng_loader

        path = espeakng_loader.get_library_path()
        if path and os.path.exists(path):
            return path
    return ctypes.util.find_library("espeak-ng") or ctypes.util.find_library("espeak")


def probe(folder: Path | None = None, cache_dir: str | Path | None = None) -> str | None:
    """None when StyleTTS2 can run here; otherwise exactly what is missing and the fix."""
    packages = missing_modules()
    if packages:
        return f"Python packages missing: {', '.join(packages)}. {INSTALL_HINT}"
    if espeak_library() is None:
        return ("The espeak-ng library (phonemes) is missing. Run `pip install espeakng-loader` "
                "(or `apt-get install espeak-ng`).")
    missing = [name for name in (CHECKPOINT, CONFIG) if resolve(name, folder, cache_dir) is None]
    if missing:
        where = f" (now {local_dir()})" if local_dir() else ""
        return (f"StyleTTS2 weights are not downloaded (missing {', '.join(f'{HUB_REPO}/{m}' for m in missing)}). "
                f"Run `python -m engines.tts.styletts2 download` where the Hugging Face hub can be reached "
                f"(about 0.7 GB), or set {ENV_DIR} to a folder holding Models/LibriTTS/epochs_2nd_00020.pth "
                f"and config.yml{where}.")
    return None


def download(progress: Progress | None = None) -> dict[str, Path]:
    """Fetch the checkpoint and config into the hub cache (or STUDIO_STYLETTS2_DIR when set), with progress."""
    import inspect

    from huggingface_hub import hf_hub_download

    kwargs = {}
    if progress and "tqdm_class" in inspect.signature(hf_hub_download).parameters:
        kwargs["tqdm_class"] = progress_tqdm(progress, "StyleTTS2")
    folder = local_dir()
    out = {}
    for i, name in enumerate((CONFIG, CHECKPOINT)):
        if progress:
            progress(i / 2, f"Downloading {HUB_REPO}/{name}")
        existing = resolve(name)
        if existing is not None:
            out[name] = existing
            continue
        target = {"local_dir": str(folder)} if folder else {}
        out[name] = Path(hf_hub_download(HUB_REPO, name, **target, **kwargs))
    if progress:
        progress(1.0, "StyleTTS2 weights ready")
    return out


# -- the model ------------------------------------------------------------------------------------
def _import_model_code():
    """The styletts2 package's model modules, imported with the torchaudio stand-in in place."""
    from engines import torchaudio_compat

    try:
        with torchaudio_compat.installed():
            from styletts2 import models
            from styletts2.Modules.diffusion.sampler import ADPM2Sampler, DiffusionSampler, KarrasSchedule
            from styletts2.text_utils import dicts as symbols
            from styletts2.Utils.PLBERT.util import CustomAlbert
    except ImportError as error:
        raise EngineUnavailable(f"StyleTTS2's model code could not be imported ({error}). {INSTALL_HINT}") from error
    return models, (DiffusionSampler, ADPM2Sampler, KarrasSchedule), symbols, CustomAlbert


def plbert_config(config: dict, config_path: Path) -> dict:
    """PL-BERT's architecture: ``<PLBERT_dir>/config.yml`` next to the config when that exists
    (a custom model), else the one the styletts2 package ships (the LibriTTS model's)."""
    import yaml

    spec = importlib.util.find_spec("styletts2")
    candidates = []
    if config.get("PLBERT_dir"):
        base = Path(config["PLBERT_dir"])
        candidates += [base, config_path.parent / base] if base.is_absolute() else [config_path.parent / base]
    candidates.append(Path(spec.origin).parent / "Utils" / "PLBERT")
    for folder in candidates:
        if (folder / "config.yml").is_file():
            return yaml.safe_load((folder / "config.yml").read_text())["model_params"]
    raise EngineUnavailable(f"PL-BERT's config.yml was not found (looked in {', '.join(map(str, candidates))}). {INSTALL_HINT}")


def build_model(params, bert_params: dict, models, custom_albert):
    """The inference modules of upstream's ``models.build_model`` (no text aligner, pitch
    extractor or discriminators: they only train), randomly initialised."""
    import torch.nn as nn
    from transformers import AlbertConfig
    from munch import Munch

    from styletts2.Modules.diffusion.diffusion import AudioDiffusionConditional
    from styletts2.Modules.diffusion.modules import StyleTransformer1d, Transformer1d
    from styletts2.Modules.diffusion.sampler import KDiffusion, LogNormalDistribution

    bert = custom_albert(AlbertConfig(**bert_params))
    decoder_args = dict(dim_in=params.hidden_dim, style_dim=params.style_dim, dim_out=params.n_mels,
                        resblock_kernel_sizes=params.decoder.resblock_kernel_sizes,
                        upsample_rates=params.decoder.upsample_rates,
                        upsample_initial_channel=params.decoder.upsample_initial_channel,
                        resblock_dilation_sizes=params.decoder.resblock_dilation_sizes,
                        upsample_kernel_sizes=params.decoder.upsample_kernel_sizes)
    if params.decoder.type == "istftnet":
        from styletts2.Modules.istftnet import Decoder

        decoder = Decoder(**decoder_args, gen_istft_n_fft=params.decoder.gen_istft_n_fft,
                          gen_istft_hop_size=params.decoder.gen_istft_hop_size)
    elif params.decoder.type == "hifigan":
        from styletts2.Modules.hifigan import Decoder

        decoder = Decoder(**decoder_args)
    else:
        raise EngineUnavailable(f"Unknown StyleTTS2 decoder type {params.decoder.type!r} in config.yml.")
    transformer_cls = StyleTransformer1d if params.multispeaker else Transformer1d
    extra = {"context_features": params.style_dim * 2} if params.multispeaker else {}
    transformer = transformer_cls(channels=params.style_dim * 2, context_embedding_features=bert.config.hidden_size,
                                  **extra, **params.diffusion.transformer)
    diffusion = AudioDiffusionConditional(in_channels=1, embedding_max_length=bert.config.max_position_embeddings,
                                          embedding_features=bert.config.hidden_size,
                                          embedding_mask_proba=params.diffusion.embedding_mask_proba,
                                          channels=params.style_dim * 2, context_features=params.style_dim * 2)
    diffusion.diffusion = KDiffusion(net=diffusion.unet, sigma_data=params.diffusion.dist.sigma_data,
                                     sigma_distribution=LogNormalDistribution(mean=params.diffusion.dist.mean,
                                                                              std=params.diffusion.dist.std),
                                     dynamic_threshold=0.0)
    diffusion.diffusion.net = transformer
    diffusion.unet = transformer
    return Munch(
        bert=bert, bert_encoder=nn.Linear(bert.config.hidden_size, params.hidden_dim),
        predictor=models.ProsodyPredictor(style_dim=params.style_dim, d_hid=params.hidden_dim, nlayers=params.n_layer,
                                          max_dur=params.max_dur, dropout=params.dropout),
        decoder=decoder,
        text_encoder=models.TextEncoder(channels=params.hidden_dim, kernel_size=5, depth=params.n_layer,
                                        n_symbols=params.n_token),
        predictor_encoder=models.StyleEncoder(dim_in=params.dim_in, style_dim=params.style_dim,
                                              max_conv_dim=params.hidden_dim),
        style_encoder=models.StyleEncoder(dim_in=params.dim_in, style_dim=params.style_dim,
                                          max_conv_dim=params.hidden_dim),
        diffusion=diffusion,
    )


def read_checkpoint(path: Path) -> dict:
    """The checkpoint's ``net`` dict (one state dict per sub-model)."""
    import pickle

    import torch

    try:
        state = torch.load(str(path), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError:  # a training checkpoint may pickle more than tensors
        log.warning("%s holds more than tensors; loading it with weights_only=False (trusted source)", path.name)
        state = torch.load(str(path), map_location="cpu", weights_only=False)
    if not isinstance(state, dict) or "net" not in state:
        raise EngineUnavailable(f"{path} is not a StyleTTS2 checkpoint (no 'net' entry); download it again.")
    return state["net"]


def load_weights(model, net: dict) -> None:
    """Each sub-model from its state dict (a DataParallel ``module.`` prefix is dropped);
    a sub-model whose weights are absent or do not fit the config is an error, not noise."""
    for key, module in model.items():
        if key not in net:
            raise EngineUnavailable(f"The StyleTTS2 checkpoint has no weights for {key!r}; it does not match this engine.")
        state = {(k[7:] if k.startswith("module.") else k): v for k, v in net[key].items()}
        try:
            result = module.load_state_dict(state, strict=False)
        except RuntimeError as error:  # a shape mismatch: the config and checkpoint disagree
            raise EngineUnavailable(f"The StyleTTS2 checkpoint does not fit config.yml ({key}): {str(error)[:300]}") from error
        missing = [k for k in result.missing_keys if not k.endswith("position_ids")]
        if missing:
            raise EngineUnavailable(f"The StyleTTS2 checkpoint lacks {len(missing)} weights of {key} "
                                    f"(e.g. {missing[0]}); it does not match config.yml.")


def recursive_munch(value):
    """Nested dicts as attribute-access Munches (upstream's helper; its module imports matplotlib)."""
    from munch import Munch

    if isinstance(value, dict):
        return Munch((k, recursive_munch(v)) for k, v in value.items())
    if isinstance(value, list):
        return [recursive_munch(v) for v in value]
    return value


def length_to_mask(lengths):
    import torch

    mask = torch.arange(lengths.max()).unsqueeze(0).expand(lengths.shape[0], -1).type_as(lengths)
    return torch.gt(mask + 1, lengths.unsqueeze(1))


class Phonemizer:
    """espeak-ng IPA with stress and punctuation, as the LibriTTS model was trained."""

    def __init__(self, symbols: dict[str, int]):
        from phonemizer.backend import EspeakBackend
        from phonemizer.backend.espeak.wrapper import EspeakWrapper

        library = espeak_library()
        with ESPEAK_LOCK:
            if importlib.util.find_spec("espeakng_loader") is not None:
                import espeakng_loader

                if library == espeakng_loader.get_library_path():
                    EspeakWrapper.set_data_path(espeakng_loader.get_data_path())
            EspeakWrapper.set_library(library)
            # phonemizer warns on every call that keeps punctuation ("words count mismatch"): expected here
            quiet = logging.getLogger(f"{__name__}.phonemizer")
            quiet.setLevel(logging.ERROR)
            self._backend = EspeakBackend(language="en-us", preserve_punctuation=True, with_stress=True, logger=quiet)
        self._symbols = symbols

    def phonemes(self, text: str) -> str:
        """IPA for ``text``; spans written ``[word](/phonemes/)`` (a lexicon's pronunciation) are kept as given."""
        pieces, last = [], 0
        for span in [*PHONEME_SPAN.finditer(text), None]:
            plain = text[last: span.start() if span else len(text)].replace('"', "")
            if plain.strip():
                with ESPEAK_LOCK:  # espeak-ng holds process-global state
                    pieces.append(self._backend.phonemize([plain.strip()])[0].strip())
            if span:
                pieces.append(span.group(0).split("](/", 1)[1][:-2].strip())
                last = span.end()
        return " ".join(p for p in pieces if p)

    def tokens(self, text: str) -> list[int]:
        # upstream runs NLTK's word_tokenize over the phonemes, which sets punctuation apart
        phonemes = " ".join(re.sub(r'([;:,.!?¡¿—…"«»“”])', r" \1 ", self.phonemes(text)).split())
        return [0] + [self._symbols[ch] for ch in phonemes if ch in self._symbols]


# -- the engine -------------------------------------------------------------------------------------
class StyleTTS2Engine(ChunkedTTS):
    id = "styletts2"
    title = "StyleTTS2 (LibriTTS) — any voice from a short clip (needs torch and downloaded weights)"
    licence = "MIT (StyleTTS2 code and LibriTTS weights; its authors ask that listeners be told the speech is synthetic)"
    sample_rate = SAMPLE_RATE
    zero_shot = True  # speaks in the voice of any reference clip (StyleTTS2Request.reference)
    request_type = StyleTTS2Request
    settings = (
        Setting("alpha", "Alpha: timbre from the text", 0.0, 1.0, ALPHA_DEFAULT, 0.05,
                "0 keeps the reference voice's timbre; 1 takes it from the text."),
        Setting("beta", "Beta: prosody from the text", 0.0, 1.0, BETA_DEFAULT, 0.05,
                "0 keeps the reference's rhythm and intonation; 1 takes them from the text."),
        Setting("diffusion_steps", "Diffusion steps", STEPS_MIN, STEPS_MAX, STEPS_DEFAULT, 1,
                "More steps: more varied speech, rendered more slowly."),
        Setting("embedding_scale", "Embedding scale", 0.0, EMBEDDING_SCALE_MAX, EMBEDDING_SCALE_DEFAULT, 0.5,
                "Guidance towards the text: higher is more expressive."),
    )

    def __init__(self, folder: Path | None = None, cache_dir: str | Path | None = None, device: str | None = None,
                 references: Callable[[str], Audio] | None = None):
        super().__init__()
        self._folder, self._cache_dir, self._device = folder, cache_dir, device
        self._references = references  # voice id -> its reference clip; default: rendered by Kokoro
        self._lock = threading.Lock()  # one chunk at a time on the model; jobs interleave chunk by chunk
        self._styles: dict[str, object] = {}
        self._styles_lock = threading.Lock()
        self._local = threading.local()  # the take being rendered by this thread (see run)
        self.load_seconds: float | None = None

    def probe(self) -> str | None:
        return probe(self._folder, self._cache_dir)

    def paths(self) -> tuple[Path, Path]:
        checkpoint, config = (resolve(name, self._folder, self._cache_dir) for name in (CHECKPOINT, CONFIG))
        if checkpoint is None or config is None:
            raise EngineUnavailable(self.probe() or "StyleTTS2 weights are missing.")
        return checkpoint, config

    def _load(self) -> None:
        import torch
        import yaml

        started = time.perf_counter()
        self._torch = torch
        self.device = self._device or ("cuda" if torch.cuda.is_available() else "cpu")
        checkpoint, config_path = self.paths()
        models, (DiffusionSampler, ADPM2Sampler, KarrasSchedule), symbols, custom_albert = _import_model_code()
        from engines import torchaudio_compat

        config = yaml.safe_load(config_path.read_text())
        try:
            self._params = recursive_munch(config["model_params"])
            model = build_model(self._params, plbert_config(config, config_path), models, custom_albert)
        except (KeyError, AttributeError, TypeError) as error:
            raise EngineUnavailable(f"{config_path} is not a StyleTTS2 config ({type(error).__name__}: {error}).") from error
        load_weights(model, read_checkpoint(checkpoint))
        for module in model.values():
            module.eval().to(self.device)
        self._model = model
        self._sampler = DiffusionSampler(model.diffusion.diffusion, sampler=ADPM2Sampler(),
                                         sigma_schedule=KarrasSchedule(sigma_min=0.0001, sigma_max=3.0, rho=9.0),
                                         clamp=False)
        sr = int(config.get("preprocess_params", {}).get("sr", SAMPLE_RATE))
        if sr != SAMPLE_RATE:
            raise EngineUnavailable(f"This engine speaks at {SAMPLE_RATE} Hz; {config_path} says {sr}.")
        # upstream's mel (torchaudio's default 16 kHz filterbank on 24 kHz audio: kept, the model learnt it)
        self._to_mel = torchaudio_compat.module().transforms.MelSpectrogram(n_mels=80, n_fft=2048, win_length=1200,
                                                                            hop_length=300)
        self._phonemizer = Phonemizer(symbols)
        self.load_seconds = time.perf_counter() - started
        log.info("StyleTTS2 loaded from %s on %s in %.1f s", checkpoint.parent, self.device, self.load_seconds)

    # -- voices and checks ------------------------------------------------------------------
    def voices(self) -> list[Voice]:
        return [Voice(v, name, gender, accent, self.id, "StyleTTS2 in the style of the Kokoro voice")
                for v, (name, gender, accent) in STOCK_VOICES.items()]

    def check(self, request: TTSRequest) -> StyleTTS2Request:
        """Validate every field before any work or charge; fill in the defaults."""
        if not isinstance(request, StyleTTS2Request):
            request = StyleTTS2Request(**{f.name: getattr(request, f.name) for f in fields(request)})
        reference = request.reference
        voices = self.voices()
        if reference is not None:
            if not isinstance(reference, Audio) or len(reference.samples) == 0:
                raise InvalidInput("reference", "The reference clip is empty; record or upload some speech.")
            if reference.duration < REFERENCE_MIN_SECONDS:
                raise InvalidInput("reference", f"The reference clip is {reference.duration:.1f} s long; "
                                                f"StyleTTS2 needs at least {REFERENCE_MIN_SECONDS:g} s of speech.")
            label = str(request.voice or "reference")[:80]
            voices = [Voice(label, label, "", "", self.id)]
            request = replace(request, voice=label)
        checked = check_request(request, voices)
        alpha = _fraction("alpha", request.alpha, ALPHA_DEFAULT, "Alpha (timbre from the text)")
        beta = _fraction("beta", request.beta, BETA_DEFAULT, "Beta (prosody from the text)")
        steps = STEPS_DEFAULT if request.diffusion_steps is None else request.diffusion_steps
        if isinstance(steps, bool) or not isinstance(steps, int) or not STEPS_MIN <= steps <= STEPS_MAX:
            raise InvalidInput("diffusion_steps",
                               f"Diffusion steps must be a whole number {STEPS_MIN}–{STEPS_MAX}, got {steps!r}.")
        scale = EMBEDDING_SCALE_DEFAULT if request.embedding_scale is None else request.embedding_scale
        if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not math.isfinite(scale) \
                or not 0.0 <= scale <= EMBEDDING_SCALE_MAX:
            raise InvalidInput("embedding_scale",
                               f"Embedding scale must be between 0 and {EMBEDDING_SCALE_MAX:g}, got {scale!r}.")
        return replace(checked, alpha=alpha, beta=beta, diffusion_steps=steps, embedding_scale=float(scale))

    # -- styles ---------------------------------------------------------------------------------
    def _reference_clip(self, voice: str) -> Audio:
        if self._references is not None:
            return self._references(voice)
        from engines import registry
        from engines.contract import render

        return render(registry.load("kokoro"), TTSRequest(REFERENCE_TEXT, voice))

    def style(self, clip: Audio):
        """The (1, 2 × style_dim) style vector of a clip: acoustic and prosodic halves."""
        torch = self._torch
        wave = dsp.resample(np.asarray(clip.samples, np.float32).reshape(len(clip.samples), -1).mean(axis=1),
                            clip.sample_rate, SAMPLE_RATE)
        wave = dsp.trim_silence(wave, SAMPLE_RATE, threshold_db=-30.0)[: int(REFERENCE_MAX_SECONDS * SAMPLE_RATE)]
        if len(wave) < SAMPLE_RATE * 0.25:
            raise InvalidInput("reference", "The reference clip is nearly silent; use one with clear speech.")
        mel = self._to_mel(torch.from_numpy(np.ascontiguousarray(wave)))
        mel = ((torch.log(1e-5 + mel.unsqueeze(0)) - MEL_MEAN) / MEL_STD).to(self.device)
        with torch.no_grad():
            acoustic = self._model.style_encoder(mel.unsqueeze(1))
            prosodic = self._model.predictor_encoder(mel.unsqueeze(1))
        return torch.cat([acoustic, prosodic], dim=1)

    def _style_for(self, request: StyleTTS2Request):
        if request.reference is not None:
            with self._lock:
                return self.style(request.reference)
        with self._styles_lock:  # one render per stock voice per process
            if request.voice not in self._styles:
                clip = self._reference_clip(request.voice)
                with self._lock:
                    self._styles[request.voice] = self.style(clip)
            return self._styles[request.voice]

    # -- synthesis ------------------------------------------------------------------------------
    def run(self, request: TTSRequest, progress: Progress | None = None, cancel: Cancel | None = None,
            on_chunk: ChunkHook | None = None) -> Iterator[Audio]:
        """The take, chunk by chunk, as every chunked engine renders it (edges, loudness, pauses),
        spoken in the request's style; each part's style leans on the previous part's."""
        if not isinstance(request, StyleTTS2Request) or request.alpha is None:
            request = self.check(request)
        if progress:
            progress(0.0, "Reading the reference voice")
        stop_if(cancel)
        take = _Take(request, self._style_for(request), cancel)
        parts = super().run(request, progress, cancel, on_chunk)
        while True:  # _render reads the take from this thread, set around each step of the generator
            self._local.take = take
            try:
                piece = next(parts)
            except StopIteration:
                return
            finally:
                self._local.take = None
            yield piece

    def gain(self, voice: str) -> float:
        """1: a StyleTTS2 voice is its reference clip, new with each zero-shot take, so the one gain
        of a take is fixed by :meth:`_render` from the take's first part instead of per voice id."""
        return 1.0

    def _render(self, text: str, voice: str, speed: float) -> np.ndarray:
        take: _Take | None = getattr(self._local, "take", None)
        if take is None:
            raise RuntimeError("StyleTTS2 renders text only inside run(), which holds the take's style")
        with self._lock:
            stop_if(take.cancel)
            samples, take.previous = self._speak(text, take.style, take.request, take.previous, speed)
        if take.gain is None:
            take.gain = float(10 ** (self._gain_db_for(samples) / 20))  # the one level estimate, on the true peak
        return samples * np.float32(take.gain)

    def _speak(self, text: str, ref_s, request: StyleTTS2Request, previous, speed: float):
        """One part of the text: (float32 samples, its style, for the next part to lean on)."""
        tokens = self._phonemizer.tokens(text)
        if len(tokens) > MAX_TOKENS:  # rare: a very dense part; halve it at a space
            words = text.split()
            if len(words) > 1:
                half = len(words) // 2
                first, style = self._speak(" ".join(words[:half]), ref_s, request, previous, speed)
                second, style = self._speak(" ".join(words[half:]), ref_s, request, style, speed)
                return np.concatenate([first, second]), style
            tokens = tokens[:MAX_TOKENS]
        torch, model, style_dim = self._torch, self._model, self._params.style_dim
        with torch.no_grad():
            tokens_t = torch.LongTensor(tokens).to(self.device).unsqueeze(0)
            input_lengths = torch.LongTensor([tokens_t.shape[-1]]).to(self.device)
            text_mask = length_to_mask(input_lengths).to(self.device)
            t_en = model.text_encoder(tokens_t, input_lengths, text_mask)
            bert_dur = model.bert(tokens_t, attention_mask=(~text_mask).int())
            d_en = model.bert_encoder(bert_dur).transpose(-1, -2)
            s_pred = self._sampler(noise=torch.randn((1, 2 * style_dim)).unsqueeze(1).to(self.device),
                                   embedding=bert_dur, embedding_scale=request.embedding_scale, features=ref_s,
                                   num_steps=request.diffusion_steps).squeeze(1)
            if previous is not None:  # long texts keep one voice across parts (upstream's long-form inference)
                s_pred = STYLE_CONTINUITY * previous + (1 - STYLE_CONTINUITY) * s_pred
            ref = request.alpha * s_pred[:, :style_dim] + (1 - request.alpha) * ref_s[:, :style_dim]
            s = request.beta * s_pred[:, style_dim:] + (1 - request.beta) * ref_s[:, style_dim:]
            d = model.predictor.text_encoder(d_en, s, input_lengths, text_mask)
            x, _ = model.predictor.lstm(d)
            duration = torch.sigmoid(model.predictor.duration_proj(x)).sum(axis=-1) / speed
            pred_dur = torch.round(duration.squeeze(0)).clamp(min=1).long().cpu()
            alignment = torch.zeros(int(input_lengths[0]), int(pred_dur.sum()), device=self.device)
            frame = 0
            for i, frames in enumerate(pred_dur.tolist()):
                alignment[i, frame: frame + frames] = 1
                frame += frames
            en = d.transpose(-1, -2) @ alignment.unsqueeze(0)
            asr = t_en @ alignment.unsqueeze(0)
            if self._params.decoder.type == "hifigan":  # the hifigan decoder was trained on features one frame late
                en = torch.cat([en[:, :, :1], en[:, :, :-1]], dim=2)
                asr = torch.cat([asr[:, :, :1], asr[:, :, :-1]], dim=2)
            f0, noise = model.predictor.F0Ntrain(en, s)
            out = model.decoder(asr, f0, noise, ref.squeeze().unsqueeze(0))
        samples = out.squeeze().float().cpu().numpy()[:-END_PULSE_SAMPLES]
        return samples.astype(np.float32), torch.cat([ref, s], dim=-1)


@dataclass
class _Take:
    """What the parts of one take share: the request, its style, the cancel callback, the
    previous part's style (for continuity) and the take's one gain (set by its first part)."""

    request: StyleTTS2Request
    style: object
    cancel: Cancel | None
    previous: object = None
    gain: float | None = None


def _fraction(field: str, value, default: float, what: str) -> float:
    value = default if value is None else value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise InvalidInput(field, f"{what} must be between 0 and 1, got {value!r}.")
    return float(value)


def main(argv: list[str] | None = None) -> int:
    """``python -m engines.tts.styletts2 [status|download]``"""
    from engines.hub import weights_cli

    return weights_cli("StyleTTS2", "python -m engines.tts.styletts2 [status|download]", probe, lambda args, progress: download(progress=progress), argv)


if __name__ == "__main__":
    raise SystemExit(main())
