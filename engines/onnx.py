"""onnxruntime session creation shared by the ONNX engines: CUDA when present, CPU otherwise."""
from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)


def providers() -> list[str]:
    """CUDA first when this onnxruntime build has it (onnxruntime-gpu), then the CPU."""
    import onnxruntime as ort

    wanted = os.environ.get("STUDIO_ONNX_PROVIDER")
    available = ort.get_available_providers()
    if wanted:
        if wanted not in available:
            raise RuntimeError(f"STUDIO_ONNX_PROVIDER={wanted} is not in this onnxruntime build ({available})")
        return [wanted] if wanted == "CPUExecutionProvider" else [wanted, "CPUExecutionProvider"]
    return [p for p in ("CUDAExecutionProvider", "CPUExecutionProvider") if p in available]


def session(model_path: str, threads: int | None = None):
    """An InferenceSession on the best provider; ``threads`` caps CPU intra-op threads."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    if threads:
        opts.intra_op_num_threads = threads
    sess = ort.InferenceSession(str(model_path), sess_options=opts, providers=providers())
    log.info("Loaded %s on %s", os.path.basename(str(model_path)), sess.get_providers()[0])
    return sess


def device_of(sess) -> str:
    return "cuda" if sess.get_providers()[0] == "CUDAExecutionProvider" else "cpu"
