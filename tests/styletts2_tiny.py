"""A tiny, randomly initialised StyleTTS2 LibriTTS-style model saved the way the hub stores it:
``Models/LibriTTS/config.yml`` (the upstream config's structure with tiny sizes) and
``Models/LibriTTS/epochs_2nd_00020.pth`` (``{"net": {sub-model: state dict}, "epoch", ...}``,
keys prefixed ``module.`` as a DataParallel training run saves them).

The sub-models are built by the styletts2 package's own ``models.build_model`` (not the
engine's builder), so the engine's loader is checked against upstream's architecture. Widths
the upstream decoder fixes (512/1024 channels) stay; everything else is a few channels and
one layer; ``max_dur`` 1 makes every phoneme token exactly one 600-sample unit, so the
length of a take is known. Needs torch and the styletts2 package (requirements-styletts2.txt)."""
from __future__ import annotations

import os
from pathlib import Path

import torch
import yaml

from engines.tts import styletts2

# The structure of yl4579/StyleTTS2-LibriTTS Models/LibriTTS/config.yml; sizes made tiny.
CONFIG = {
    "log_dir": "Models/LibriTTS", "first_stage_path": "first_stage.pth", "save_freq": 1, "log_interval": 10,
    "device": "cuda", "epochs_1st": 50, "epochs_2nd": 30, "batch_size": 16, "max_len": 300,
    "pretrained_model": "", "second_stage_load_pretrained": True, "load_only_params": False,
    "F0_path": "Utils/JDC/bst.t7", "ASR_config": "Utils/ASR/config.yml", "ASR_path": "Utils/ASR/epoch_00080.pth",
    "PLBERT_dir": "Utils/PLBERT/",
    "data_params": {"train_data": "Data/train_list.txt", "val_data": "Data/val_list.txt", "root_path": "",
                    "OOD_data": "Data/OOD_texts.txt", "min_length": 50},
    "preprocess_params": {"sr": 24000, "spect_params": {"n_fft": 2048, "win_length": 1200, "hop_length": 300}},
    "model_params": {
        "multispeaker": True, "dim_in": 4, "hidden_dim": 512, "max_conv_dim": 512, "n_layer": 1, "n_mels": 80,
        "n_token": 178, "max_dur": 1, "style_dim": 8, "dropout": 0.2,
        "decoder": {"type": "hifigan", "resblock_kernel_sizes": [3], "upsample_rates": [10, 5, 3, 2],
                    "upsample_initial_channel": 512, "resblock_dilation_sizes": [[1, 3, 5]],
                    "upsample_kernel_sizes": [20, 10, 6, 4]},
        "slm": {"model": "microsoft/wavlm-base-plus", "sr": 16000, "hidden": 16, "nlayers": 2, "initial_channel": 4},
        "diffusion": {"embedding_mask_proba": 0.1,
                      "transformer": {"num_layers": 1, "num_heads": 2, "head_features": 8, "multiplier": 1},
                      "dist": {"sigma_data": 0.2, "estimate_sigma_data": True, "mean": -3.0, "std": 1.0}},
    },
    "loss_params": {"lambda_mel": 5.0, "lambda_gen": 1.0, "lambda_slm": 1.0, "lambda_mono": 1.0, "lambda_s2s": 1.0,
                    "TMA_epoch": 5, "lambda_F0": 1.0, "lambda_norm": 1.0, "lambda_dur": 1.0, "lambda_ce": 20.0,
                    "lambda_sty": 1.0, "lambda_diff": 1.0, "diff_epoch": 10, "joint_epoch": 15},
    "optimizer_params": {"lr": 0.0001, "bert_lr": 0.00001, "ft_lr": 0.00001},
    "slmadv_params": {"min_len": 400, "max_len": 500, "batch_percentage": 0.5, "iter": 20, "thresh": 5,
                      "scale": 0.01, "sig": 1.5},
}
# PL-BERT shares one layer's weights across its 12, so the shipped architecture is kept (~6 M weights).
INFERENCE_KEYS = ("bert", "bert_encoder", "predictor", "decoder", "text_encoder", "predictor_encoder",
                  "style_encoder", "diffusion")


def build(root: Path, seed: int = 0) -> Path:
    """Write the tiny model under ``root`` (laid out like the hub repo); returns ``root``."""
    from engines import torchaudio_compat

    with torchaudio_compat.installed():
        from styletts2 import models
        from styletts2.Utils.PLBERT.util import CustomAlbert
    from transformers import AlbertConfig

    torch.manual_seed(seed)
    params = styletts2.recursive_munch(CONFIG["model_params"])
    bert = CustomAlbert(AlbertConfig(**styletts2.plbert_config({}, root)))
    with _no_discriminators(models):
        nets = models.build_model(params, torch.nn.Module(), torch.nn.Module(), bert)
    net = {}
    for key in INFERENCE_KEYS:
        state = nets[key].state_dict()
        # a DataParallel run saves "module."-prefixed keys; the text encoder is left bare to test both
        net[key] = state if key == "text_encoder" else {f"module.{k}": v for k, v in state.items()}
    folder = root / "Models" / "LibriTTS"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.yml").write_text(yaml.safe_dump(CONFIG, sort_keys=False))
    torch.save({"net": net, "optimizer": {}, "iters": 0, "val_loss": 0.0, "epoch": 20},
               folder / "epochs_2nd_00020.pth")
    return root


class _no_discriminators:
    """build_model also builds the training-only discriminators (~60 M weights at fixed sizes);
    they are never saved here, so stand tiny modules in for them while it runs."""

    def __init__(self, models):
        self.models, self.saved = models, {}

    def __enter__(self):
        for name in ("MultiPeriodDiscriminator", "MultiResSpecDiscriminator", "WavLMDiscriminator"):
            self.saved[name] = getattr(self.models, name)
            setattr(self.models, name, lambda *a, **k: torch.nn.Identity())

    def __exit__(self, *exc):
        for name, cls in self.saved.items():
            setattr(self.models, name, cls)


def hub_cache(root: Path, model: Path, revision: str = "0123456789abcdef0123456789abcdef01234567") -> Path:
    """A Hugging Face hub cache holding ``model``'s files as huggingface_hub lays it out:
    ``models--org--name/refs/main`` names the revision, ``snapshots/<rev>/<path>`` links to ``blobs/<id>``."""
    repo_dir = root / ("models--" + styletts2.HUB_REPO.replace("/", "--"))
    (repo_dir / "refs").mkdir(parents=True, exist_ok=True)
    (repo_dir / "refs" / "main").write_text(revision)
    (repo_dir / "blobs").mkdir(exist_ok=True)
    for i, name in enumerate((styletts2.CONFIG, styletts2.CHECKPOINT)):
        blob = repo_dir / "blobs" / f"{i:064x}"
        if not blob.exists():
            blob.symlink_to((model / name).resolve())  # the blob itself: a link keeps 240 MB from being copied
        link = repo_dir / "snapshots" / revision / name
        link.parent.mkdir(parents=True, exist_ok=True)
        if not link.exists():
            link.symlink_to(os.path.relpath(blob, link.parent))
    return root
