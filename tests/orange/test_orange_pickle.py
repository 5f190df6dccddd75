"""The restricted unpickler: real Orange settings decode to inert records; anything that
would run code is refused before it runs."""

from __future__ import annotations

import base64
import pickle
import random

import defusedxml.ElementTree as DET
import pytest

from petriflow.compat.orange.unpickler import (
    OpaqueQtValue,
    OrangeContext,
    OrangePickleError,
    OrangePickleRefused,
    OrangeRecentPath,
    OrangeVariableType,
    decode_pickle_text,
    loads_orange_pickle,
    to_plain,
)

from .conftest import needs_reference, orange_pickles, reference_files


# --------------------------------------------------------------- real Orange pickles
def test_recent_path_becomes_an_inert_record():
    settings = loads_orange_pickle(orange_pickles()["import_images"])
    (recent,) = settings["recent_paths"]
    assert type(recent) is OrangeRecentPath
    assert (recent.abspath, recent.prefix, recent.relpath) == (
        "/data/images/domestic animals", "basedir", "domestic animals")
    assert settings["savedWidgetGeometry"] == b"\x01\xd9\xd0\xcb\x00\x03"


def test_context_set_of_cells_and_copyreg_list():
    settings = loads_orange_pickle(orange_pickles()["confusion_matrix"])
    (ctx,) = settings["context_settings"]
    assert type(ctx) is OrangeContext
    assert ctx.values["selection"] == {(0, 1), (2, 2)}
    assert ctx.state["classes"] == ["cat", "dog", "horse"]


def test_numpy_scalars_are_decoded_without_numpy():
    settings = loads_orange_pickle(orange_pickles()["hierarchical_clustering"])
    assert settings["cut_ratio"] == 80.5 and type(settings["cut_ratio"]) is float
    assert settings["top_n"] == 4 and type(settings["top_n"]) is int
    selected, linkage = settings["__session_state_data"]["selection_state"]
    assert selected == [(0, 1)] and linkage[2] == (4, 5, 0.9)


def test_variable_classes_are_references_only_protocol_3():
    settings = loads_orange_pickle(orange_pickles()["variable_types_protocol3"])
    names = [v.type_name for v in settings["vars"]]
    assert names == ["ContinuousVariable", "DiscreteVariable", "StringVariable"]
    assert all(issubclass(v, OrangeVariableType) for v in settings["vars"])
    assert settings["rank"] == {"a", "b"}
    assert to_plain(settings)["vars"][0] == {"__orange__": "Variable type",
                                             "name": "ContinuousVariable"}


@needs_reference
@pytest.mark.parametrize("path", reference_files, ids=lambda p: p.name[:40])
def test_reference_file_pickles_decode_or_are_refused(path):
    """Every pickle of the reference files either decodes to plain values and records, or
    (Python Script's ``Script``, Nomogram's ``SortBy``) is refused by name."""
    root = DET.parse(path).getroot()
    names = {n.get("id"): n.get("qualified_name") for n in root.find("nodes")}
    for prop in root.find("node_properties"):
        if prop.get("format") != "pickle":
            continue
        text = prop.text if prop.text is not None else prop.get("data")
        qname = names[prop.get("node_id")]
        if qname.endswith(("OWPythonScript", "OWNomogram")):
            with pytest.raises(OrangePickleRefused, match=r"owpythonscript|ownomogram"):
                loads_orange_pickle(text)
            continue
        value = loads_orange_pickle(text)
        assert isinstance(value, dict), qname
        _assert_inert(value)


def _assert_inert(value, depth=0):
    allowed = (str, bytes, int, float, bool, type(None), OrangeContext, OrangeRecentPath,
               OpaqueQtValue)
    assert depth < 60
    if isinstance(value, dict):
        for k, v in value.items():
            _assert_inert(k, depth + 1)
            _assert_inert(v, depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        for v in value:
            _assert_inert(v, depth + 1)
    elif isinstance(value, type):
        assert issubclass(value, OrangeVariableType)
    else:
        assert isinstance(value, allowed) or type(value).__module__.endswith("unpickler"), \
            type(value)
        if isinstance(value, OrangeContext | OrangeRecentPath | OpaqueQtValue):
            _assert_inert(value.state, depth + 1)


@needs_reference
def test_pyqt4_geometry_of_very_old_files_stays_opaque():
    path = next(p for p in reference_files if "orange-web_dendrogram" in p.name)
    root = DET.parse(path).getroot()
    texts = [p.text for p in root.find("node_properties") if p.get("format") == "pickle"]
    decoded = [loads_orange_pickle(t) for t in texts]
    qt = [v["savedWidgetGeometry"] for v in decoded if "savedWidgetGeometry" in v]
    assert qt and all(type(v) is OpaqueQtValue for v in qt)
    assert qt[0].state["name"] == "QByteArray"


# --------------------------------------------------------------- hostile pickles
def _payloads(marker):
    """Pickles that would create ``marker`` if loaded by a stock unpickler."""
    cmd = f"touch {marker}"

    class ViaSystem:
        def __reduce__(self):
            import os
            return (os.system, (cmd,))

    class ViaEval:
        def __reduce__(self):
            return (eval, (f"open({str(marker)!r}, 'w')",))

    class ViaPopen:
        def __reduce__(self):
            import subprocess
            return (subprocess.Popen, (["touch", str(marker)],))

    class ViaOpen:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    out = {name: pickle.dumps({"x": cls()}, protocol=proto)
           for name, cls in [("os.system", ViaSystem), ("builtins.eval", ViaEval),
                             ("subprocess.Popen", ViaPopen), ("builtins.open", ViaOpen)]
           for proto in (2, 4)}
    # hand-written protocol-0 pickles (what an attacker writes by hand)
    out["posix.system p0"] = f"cposix\nsystem\n(S'{cmd}'\ntR.".encode()
    out["builtins.exec p0"] = (
        f"cbuiltins\nexec\n(S'open({str(marker)!r}, \"w\")'\ntR.".encode())
    # an allowed name used as a stepping stone: getattr is not allowed
    out["getattr chain"] = (
        f"cbuiltins\ngetattr\n(cbuiltins\nlist\nS'__class__'\ntR(S'{cmd}'\ntR.".encode())
    # copyreg._reconstructor with a foreign class: the class lookup is refused first
    out["copyreg foreign"] = (
        f"ccopyreg\n_reconstructor\n(cos\nsystem\ncbuiltins\nlist\nS'{cmd}'\ntR.".encode())
    return out


def test_hostile_pickles_are_refused_and_never_run(tmp_path):
    marker = tmp_path / "pwned"
    payloads = _payloads(marker)
    probe = tmp_path / "probe"
    pickle.loads(_payloads(probe)["builtins.open"])  # sanity: a stock loads runs it
    assert probe.exists()
    for name, raw in payloads.items():
        with pytest.raises(OrangePickleRefused, match="refused"):
            loads_orange_pickle(raw)
        text = base64.encodebytes(raw).decode()
        with pytest.raises(OrangePickleRefused):
            loads_orange_pickle(text)
        assert not marker.exists(), name


def test_extension_opcode_goes_through_the_allow_list(tmp_path):
    import copyreg

    copyreg.add_extension("os", "system", 0xBEEF)
    try:
        # EXT2 0xBEEF ('os', 'system'), then ("true",) and REDUCE
        raw = b"\x80\x02\x83\xef\xbe" + b"X\x04\x00\x00\x00true\x85R."
        with pytest.raises(OrangePickleRefused, match=r"os\.system"):
            loads_orange_pickle(raw)
    finally:
        copyreg.remove_extension("os", "system", 0xBEEF)


def test_numpy_object_arrays_and_odd_dtypes_are_not_read():
    # scalar(dtype("O8"), 8 bytes): an object scalar would be a pointer; refused
    raw = (b"\x80\x02cnumpy.core.multiarray\nscalar\ncnumpy\ndtype\nX\x02\x00\x00\x00O8"
           b"\x89\x88\x87R(K\x03X\x01\x00\x00\x00|NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK?tb"
           b"C\x08\x00\x00\x00\x00\x00\x00\x00\x00\x86R.")
    with pytest.raises(OrangePickleError, match="O8"):
        loads_orange_pickle(raw)


@pytest.mark.parametrize("text", ["", "!!!! not base64 ????", "gASV" * 3, "80ff"])
def test_damaged_text_gives_one_clear_error(text):
    with pytest.raises(OrangePickleError):
        loads_orange_pickle(text)


def test_hex_text_is_accepted():
    raw = pickle.dumps({"a": 1}, protocol=4)
    assert decode_pickle_text(raw.hex()) == raw
    assert loads_orange_pickle(raw.hex()) == {"a": 1}


def test_fuzzed_real_pickles_raise_only_our_error(tmp_path):
    """Bounded fuzz: flipped, dropped and inserted bytes of real Orange pickles, plus
    hostile opcodes spliced in, either decode to inert values or raise OrangePickleError."""
    rng = random.Random(1234)
    seeds = [base64.decodebytes(t.encode()) for t in orange_pickles().values()]
    marker = tmp_path / "fuzz-marker"
    evil = list(_payloads(marker).values())
    for _ in range(600):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 4)):
            op = rng.random()
            pos = rng.randrange(len(data))
            if op < 0.4:
                data[pos] = rng.randrange(256)
            elif op < 0.7:
                del data[pos:pos + rng.randint(1, 8)]
            elif op < 0.9:
                data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
            else:
                chunk = rng.choice(evil)
                data[pos:pos] = chunk[2:-1]
        try:
            value = loads_orange_pickle(bytes(data))
        except OrangePickleError:
            continue
        to_plain(value)  # must be printable for inspect
    assert not marker.exists()
