from engines.hub import progress_tqdm


def test_download_progress_is_reported_in_megabytes():
    seen = []
    bar = progress_tqdm(lambda f, m: seen.append((f, m)), "weights")(total=4 * 2**20, desc="model.bin", disable=False)
    bar.update(2**20)
    bar.update(3 * 2**20)
    bar.close()
    assert seen == [(0.25, "Downloading model.bin: 1 of 4 MB"), (1.0, "Downloading model.bin: 4 of 4 MB")]
