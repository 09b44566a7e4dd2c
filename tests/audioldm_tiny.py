"""A tiny, randomly initialised AudioLDM pipeline saved to a folder — what diffusers' fast tests
build — for the AudioLDM tests and the benchmark's "tiny path". Needs torch, diffusers, transformers."""
from __future__ import annotations

import json
from pathlib import Path

import diffusers
import torch
import transformers


def byte_level_alphabet() -> list[str]:
    """The 256 printable stand-ins byte-level BPE uses for bytes (printable ASCII/Latin-1 as is)."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    shifted = iter(range(256, 512))
    return [chr(b) if b in printable else chr(next(shifted)) for b in range(256)]


def tiny_tokenizer(folder):
    """A RoBERTa byte-level BPE tokenizer from a vocabulary and merges written here (no hub)."""
    folder.mkdir(parents=True, exist_ok=True)
    vocab = {token: i for i, token in enumerate(["<s>", "<pad>", "</s>", "<unk>"])}
    for ch in byte_level_alphabet():
        vocab.setdefault(ch, len(vocab))
    merges = ["Ġ t", "h e", "Ġt he", "Ġ a", "i n", "e r", "Ġ s", "o w"]
    for merge in merges:
        vocab.setdefault(merge.replace(" ", ""), len(vocab))
    vocab["<mask>"] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(merges) + "\n")
    return transformers.RobertaTokenizer(str(folder / "vocab.json"), str(folder / "merges.txt"), model_max_length=77)


def build(root: Path) -> Path:
    """The component sizes of diffusers' AudioLDM fast tests, randomly initialised, saved under ``root``."""
    torch.manual_seed(0)
    unet = diffusers.UNet2DConditionModel(
        block_out_channels=(32, 64), layers_per_block=2, sample_size=32, in_channels=4, out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=(32, 64), class_embed_type="simple_projection", projection_class_embeddings_input_dim=32,
        class_embeddings_concat=True,
    )
    scheduler = diffusers.DDIMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                                        clip_sample=False, set_alpha_to_one=False)
    vae = diffusers.AutoencoderKL(block_out_channels=[32, 64], in_channels=1, out_channels=1, latent_channels=4,
                                  down_block_types=["DownEncoderBlock2D"] * 2, up_block_types=["UpDecoderBlock2D"] * 2)
    text_encoder = transformers.ClapTextModelWithProjection(transformers.ClapTextConfig(
        bos_token_id=0, eos_token_id=2, hidden_size=32, intermediate_size=37, layer_norm_eps=1e-05, num_attention_heads=4,
        num_hidden_layers=5, pad_token_id=1, vocab_size=1000, projection_dim=32))
    vocoder = transformers.SpeechT5HifiGan(transformers.SpeechT5HifiGanConfig(
        model_in_dim=8, sampling_rate=16000, upsample_initial_channel=16, upsample_rates=[2, 2], upsample_kernel_sizes=[4, 4],
        resblock_kernel_sizes=[3, 7], resblock_dilation_sizes=[[1, 3, 5], [1, 3, 5]], normalize_before=False))
    pipe = diffusers.AudioLDMPipeline(unet=unet, scheduler=scheduler, vae=vae, text_encoder=text_encoder,
                                      tokenizer=tiny_tokenizer(root / "vocab"), vocoder=vocoder)
    pipe.save_pretrained(root / "pipeline")
    return root / "pipeline"
