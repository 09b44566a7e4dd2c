"""`make bench`: every benchmark module present, one after the other (each writes bench/results/NAME.json)."""
import importlib
import importlib.util
import sys

MODULES = ["bench.bench_tts", "bench.bench_tts_quality", "bench.bench_loudness", "bench.bench_vc", "bench.bench_sfx",
           "bench.bench_tiny_models",  # after tts, vc and sfx: it merges into tts.json, vc.json and sfx.json
           "bench.bench_reliability", "bench.bench_api", "bench.bench_voices"]

if __name__ == "__main__":
    failed = []
    for name in MODULES:
        if importlib.util.find_spec(name) is None:
            continue
        print(f"== {name}", file=sys.stderr)
        try:
            print(importlib.import_module(name).main())
        except Exception as error:  # report and go on with the others
            print(f"{name} failed: {error!r}", file=sys.stderr)
            failed.append(name)
    sys.exit(1 if failed else 0)
