"""Tests for gdlab.datasets: IDX reader, MNIST / Fashion-MNIST loaders, scaling."""

import gzip
import hashlib
import os
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

from gdlab.datasets import (
    DatasetError,
    DatasetNotFoundError,
    load_fashion_mnist,
    load_mnist,
    read_idx,
    scale_images,
)
from gdlab.datasets import _mnist

# Class counts from shared/data/README.md.
MNIST_COUNTS = {
    "train": [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
    "test": [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
}
N = {"train": 60000, "test": 10000}
TEST_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")

# Big-endian on-disk dtype for each IDX type code.
IDX_CODES = {"u1": 0x08, "i1": 0x09, ">i2": 0x0B, ">i4": 0x0C, ">f4": 0x0D, ">f8": 0x0E}


def encode_idx(arr, be_dtype, *, code=None, magic=b"\x00\x00"):
    """Encode `arr` as IDX bytes independently of the reader under test."""
    arr = np.asarray(arr)
    code = IDX_CODES[be_dtype] if code is None else code
    header = magic + bytes([code, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return header + arr.astype(be_dtype).tobytes(order="C")


def write(path, data):
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


def mnist_dir():
    return _mnist._mnist_dir()


# --------------------------------------------------------------------------- MNIST


@pytest.mark.parametrize("split", ["train", "test"])
def test_load_mnist_shapes_dtypes_counts(split):
    images, labels = load_mnist(split)
    n = N[split]
    assert images.shape == (n, 28, 28)
    assert labels.shape == (n,)
    assert images.dtype == np.uint8 and labels.dtype == np.uint8
    assert np.bincount(labels, minlength=10).tolist() == MNIST_COUNTS[split]
    assert images.max() == 255 and images.min() == 0
    assert images.flags.writeable and labels.flags.writeable


def test_load_mnist_default_split_is_train():
    images, labels = load_mnist()
    assert images.shape == (60000, 28, 28) and labels.shape == (60000,)


@pytest.mark.parametrize("bad", ["valid", "Train", "", None])
def test_load_mnist_bad_split(bad):
    with pytest.raises(ValueError) as info:
        load_mnist(bad)
    assert not isinstance(info.value, DatasetError)
    assert repr(bad) in str(info.value)


def test_packaged_mnist_files_match_readme_sha256():
    for name, digest in _mnist._SHA256["mnist"].items():
        assert hashlib.sha256((mnist_dir() / name).read_bytes()).hexdigest() == digest


def copy_test_split(tmp_path):
    for name in TEST_FILES:
        shutil.copy(mnist_dir() / name, tmp_path / name)
        os.chmod(tmp_path / name, 0o644)  # the packaged copies may be read-only


@pytest.mark.parametrize("name", TEST_FILES)
def test_load_mnist_corrupted_packaged_file(tmp_path, monkeypatch, name):
    copy_test_split(tmp_path)
    data = bytearray((tmp_path / name).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (tmp_path / name).write_bytes(bytes(data))
    monkeypatch.setattr(_mnist, "_mnist_dir", lambda: tmp_path)
    with pytest.raises(DatasetError) as info:
        load_mnist("test")
    msg = str(info.value)
    assert str(tmp_path / name) in msg
    assert "SHA256" in msg
    assert _mnist._SHA256["mnist"][name] in msg


def test_load_mnist_missing_packaged_file(tmp_path, monkeypatch):
    copy_test_split(tmp_path)
    (tmp_path / TEST_FILES[1]).unlink()
    monkeypatch.setattr(_mnist, "_mnist_dir", lambda: tmp_path)
    with pytest.raises(DatasetNotFoundError) as info:
        load_mnist("test")
    assert str(tmp_path / TEST_FILES[1]) in str(info.value)
    assert isinstance(info.value, FileNotFoundError)


def test_load_mnist_works_from_patched_dir(tmp_path, monkeypatch):
    # The monkeypatch hook itself works: intact copies load fine.
    copy_test_split(tmp_path)
    monkeypatch.setattr(_mnist, "_mnist_dir", lambda: tmp_path)
    images, labels = load_mnist("test")
    assert np.bincount(labels).tolist() == MNIST_COUNTS["test"]


# Consistency checks behind the SHA256 (run with the checksums off).


def test_pair_checks_count_mismatch(tmp_path):
    img = write(tmp_path / "img.gz", encode_idx(np.zeros((3, 28, 28)), "u1"))
    lab = write(tmp_path / "lab.gz", encode_idx(np.zeros(4), "u1"))
    with pytest.raises(DatasetError, match="3 images.*4 labels"):
        _mnist._load_pair(img, lab)


def test_pair_checks_label_range(tmp_path):
    img = write(tmp_path / "img.gz", encode_idx(np.zeros((3, 28, 28)), "u1"))
    lab = write(tmp_path / "lab.gz", encode_idx([0, 9, 10], "u1"))
    with pytest.raises(DatasetError, match="0..9") as info:
        _mnist._load_pair(img, lab)
    assert str(lab) in str(info.value)


def test_pair_checks_image_shape(tmp_path):
    img = write(tmp_path / "img.gz", encode_idx(np.zeros((3, 28, 27)), "u1"))
    lab = write(tmp_path / "lab.gz", encode_idx([0, 1, 2], "u1"))
    with pytest.raises(DatasetError, match="28, 28") as info:
        _mnist._load_pair(img, lab)
    assert str(img) in str(info.value)


def test_pair_checks_expected_n(tmp_path):
    img = write(tmp_path / "img.gz", encode_idx(np.zeros((3, 28, 28)), "u1"))
    lab = write(tmp_path / "lab.gz", encode_idx([0, 1, 2], "u1"))
    images, labels = _mnist._load_pair(img, lab, n=3)
    assert images.shape == (3, 28, 28) and labels.tolist() == [0, 1, 2]
    with pytest.raises(DatasetError, match="expected 5 samples"):
        _mnist._load_pair(img, lab, n=5)


# --------------------------------------------------------------------------- read_idx


def test_read_idx_uint8_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    arr = rng.integers(0, 256, size=(5, 4, 3), dtype=np.uint8)
    out = read_idx(write(tmp_path / "a-idx3-ubyte.gz", encode_idx(arr, "u1")))
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out, arr)


def test_read_idx_float32_round_trip(tmp_path):
    arr = np.array([[1.5, -2.25, np.pi], [1e-30, -0.0, 3.4e38]], dtype=np.float32)
    raw = encode_idx(arr, ">f4")
    # The payload really is big-endian: 1.5f = 0x3FC00000.
    assert raw[12:16] == b"\x3f\xc0\x00\x00"
    out = read_idx(write(tmp_path / "f.gz", raw))
    assert out.dtype == np.float32 and out.dtype.isnative
    assert out.shape == (2, 3)
    np.testing.assert_array_equal(out, arr)
    assert np.signbit(out[1, 1])


@pytest.mark.parametrize("be_dtype", list(IDX_CODES))
def test_read_idx_all_dtypes_uncompressed(tmp_path, be_dtype):
    arr = np.arange(-12, 12).reshape(2, 3, 4)
    if be_dtype == "u1":
        arr = arr + 12
    out = read_idx(write(tmp_path / "x.idx", encode_idx(arr, be_dtype)))
    assert out.dtype == np.dtype(be_dtype).newbyteorder("=")
    assert out.dtype.isnative
    np.testing.assert_array_equal(out, arr)
    assert out.flags.writeable and out.flags.c_contiguous


def test_read_idx_sha256_ok(tmp_path):
    path = write(tmp_path / "a.gz", encode_idx(np.arange(10), "u1"))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    np.testing.assert_array_equal(read_idx(path, sha256=digest), np.arange(10))
    np.testing.assert_array_equal(read_idx(path, sha256=digest.upper()), np.arange(10))


def test_read_idx_sha256_mismatch(tmp_path):
    path = write(tmp_path / "a.gz", encode_idx(np.arange(10), "u1"))
    actual = hashlib.sha256(path.read_bytes()).hexdigest()
    wrong = "0" * 64
    with pytest.raises(DatasetError) as info:
        read_idx(path, sha256=wrong)
    msg = str(info.value)
    assert str(path) in msg and wrong in msg and actual in msg


def test_read_idx_truncated_gzip(tmp_path):
    data = (mnist_dir() / "t10k-labels-idx1-ubyte.gz").read_bytes()
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DatasetError, match="gzip") as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_read_idx_not_gzip(tmp_path):
    path = tmp_path / "x.gz"
    path.write_bytes(encode_idx(np.arange(10), "u1"))  # uncompressed under a .gz name
    with pytest.raises(DatasetError, match="gzip") as info:
        read_idx(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("name", ["empty.gz", "empty.idx"])
def test_read_idx_empty_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"")
    with pytest.raises(DatasetError, match="file is empty") as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_read_idx_payload_too_short(tmp_path):
    raw = encode_idx(np.zeros((4, 5)), ">i2")
    path = write(tmp_path / "short.gz", raw[:-1])
    with pytest.raises(DatasetError, match="truncated payload") as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_read_idx_payload_too_long(tmp_path):
    raw = encode_idx(np.zeros((4, 5)), "u1")
    path = write(tmp_path / "long.gz", raw + b"\x00\x00\x00")
    with pytest.raises(DatasetError, match="3 trailing bytes") as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_read_idx_truncated_header(tmp_path):
    raw = encode_idx(np.zeros((4, 5, 6)), "u1")
    for cut in (2, 9):
        path = write(tmp_path / f"hdr{cut}.idx", raw[:cut])
        with pytest.raises(DatasetError, match="truncated IDX header") as info:
            read_idx(path)
        assert str(path) in str(info.value)


@pytest.mark.parametrize("magic", [b"\x00\x01", b"\x1f\x8b", b"\x01\x00"])
def test_read_idx_bad_magic(tmp_path, magic):
    path = write(tmp_path / "bad.gz", encode_idx(np.zeros(3), "u1", magic=magic))
    with pytest.raises(DatasetError, match="not an IDX file") as info:
        read_idx(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("code", [0x00, 0x0A, 0x0F, 0xFF])
def test_read_idx_unknown_dtype_code(tmp_path, code):
    path = write(tmp_path / "bad.gz", encode_idx(np.zeros(3), "u1", code=code))
    with pytest.raises(DatasetError, match=f"0x{code:02X}") as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_read_idx_missing_file(tmp_path):
    path = tmp_path / "nope.gz"
    with pytest.raises(DatasetNotFoundError) as info:
        read_idx(path)
    assert str(path) in str(info.value)
    assert isinstance(info.value, FileNotFoundError)
    assert isinstance(info.value, ValueError)


def test_read_idx_real_mnist_header():
    images = read_idx(mnist_dir() / "t10k-images-idx3-ubyte.gz")
    labels = read_idx(mnist_dir() / "t10k-labels-idx1-ubyte.gz")
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10000,) and labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


# --------------------------------------------------------------------------- Fashion-MNIST


def fashion_root():
    root = os.environ.get("GDLAB_DATA_DIR")
    if not root:
        pytest.skip("GDLAB_DATA_DIR is not set; Fashion-MNIST is not bundled")
    for split in ("train", "test"):
        for name in _mnist._FILES[split]:
            if not (Path(root) / "fashion-mnist" / name).is_file():
                pytest.skip(f"Fashion-MNIST file {root}/fashion-mnist/{name} not found")
    return root


@pytest.mark.parametrize("split", ["train", "test"])
def test_load_fashion_mnist_from_env(split):
    fashion_root()
    images, labels = load_fashion_mnist(split)
    n = N[split]
    assert images.shape == (n, 28, 28) and labels.shape == (n,)
    assert images.dtype == np.uint8 and labels.dtype == np.uint8
    assert np.bincount(labels, minlength=10).tolist() == [n // 10] * 10


def test_load_fashion_mnist_data_dir_overrides_env(monkeypatch, tmp_path):
    root = fashion_root()
    monkeypatch.setenv("GDLAB_DATA_DIR", str(tmp_path))  # empty: would fail
    images, labels = load_fashion_mnist("test", data_dir=Path(root))
    assert images.shape == (10000, 28, 28)
    assert np.bincount(labels).tolist() == [1000] * 10
    # Different data from MNIST's test split.
    assert not np.array_equal(images, load_mnist("test")[0])


def test_load_fashion_mnist_no_dir_configured(monkeypatch):
    monkeypatch.delenv("GDLAB_DATA_DIR", raising=False)
    with pytest.raises(DatasetNotFoundError) as info:
        load_fashion_mnist("train")
    msg = str(info.value)
    assert "GDLAB_DATA_DIR" in msg and "fashion-mnist/train-images-idx3-ubyte.gz" in msg
    assert isinstance(info.value, FileNotFoundError)


def test_load_fashion_mnist_missing_dir(monkeypatch, tmp_path):
    missing = tmp_path / "does-not-exist"
    monkeypatch.setenv("GDLAB_DATA_DIR", str(missing))
    with pytest.raises(DatasetNotFoundError) as info:
        load_fashion_mnist("test")
    msg = str(info.value)
    assert "GDLAB_DATA_DIR" in msg
    assert str(missing / "fashion-mnist" / "t10k-images-idx3-ubyte.gz") in msg
    # Same through the argument.
    with pytest.raises(DatasetNotFoundError, match="GDLAB_DATA_DIR") as info:
        load_fashion_mnist("test", data_dir=missing)
    assert "data_dir" in str(info.value)


def test_load_fashion_mnist_wrong_files(tmp_path):
    # MNIST files put where Fashion-MNIST belongs: caught by the checksums.
    (tmp_path / "fashion-mnist").mkdir()
    copy_test_split(tmp_path / "fashion-mnist")
    with pytest.raises(DatasetError, match="SHA256") as info:
        load_fashion_mnist("test", data_dir=tmp_path)
    assert not isinstance(info.value, DatasetNotFoundError)
    assert str(tmp_path / "fashion-mnist" / TEST_FILES[0]) in str(info.value)


def test_load_fashion_mnist_bad_split(tmp_path):
    with pytest.raises(ValueError, match="'validation'"):
        load_fashion_mnist("validation", data_dir=tmp_path)


# --------------------------------------------------------------------------- scale_images


def test_scale_images_values_and_range():
    x = np.arange(256, dtype=np.uint8).reshape(4, 8, 8)
    out = scale_images(x)
    assert out.shape == (4, 64) and out.dtype == np.float32
    assert out.flags.c_contiguous
    assert out.min() == -1.0 and out.max() == 1.0
    flat = out.ravel()
    assert flat[0] == -1.0 and flat[255] == 1.0
    ref = (np.arange(256) / 255.0 - 0.5) / 0.5
    np.testing.assert_allclose(flat, ref, rtol=0, atol=2 * np.finfo(np.float32).eps)
    assert np.all(np.diff(flat) > 0)


def test_scale_images_float64_exact():
    x = np.array([[0.0, 127.5, 255.0, 51.0]])
    out = scale_images(x, dtype=np.float64)
    assert out.dtype == np.float64
    assert out[0, :3].tolist() == [-1.0, 0.0, 1.0]
    np.testing.assert_allclose(out[0, 3], -0.6, rtol=0, atol=1e-15)
    assert scale_images(x)[0, 1] == 0.0  # float32 too


def test_scale_images_mnist_shape_and_rows():
    images, _ = load_mnist("test")
    out = scale_images(images)
    assert out.shape == (10000, 784) and out.dtype == np.float32
    assert -1.0 <= out.min() and out.max() <= 1.0
    np.testing.assert_allclose(out[7].reshape(28, 28), images[7] / 127.5 - 1, atol=1e-6)


def test_scale_images_noncontiguous_input_and_no_mutation():
    x = np.arange(4 * 3 * 4, dtype=np.uint8).reshape(4, 3, 4)[::2]  # not contiguous
    before = x.copy()
    out = scale_images(x, dtype="float64")
    assert out.shape == (2, 12) and out.flags.c_contiguous
    np.testing.assert_array_equal(out, before.reshape(2, 12) / 127.5 - 1)
    np.testing.assert_array_equal(x, before)
    f = np.full((2, 3), 255.0, dtype=np.float32)
    scale_images(f)
    assert np.all(f == 255.0)  # float32 input is copied, not scaled in place


def test_scale_images_empty_batch():
    out = scale_images(np.zeros((0, 28, 28), dtype=np.uint8))
    assert out.shape == (0, 784) and out.dtype == np.float32


@pytest.mark.parametrize("dtype", [np.float16, np.int32, np.uint8, np.complex64])
def test_scale_images_rejects_dtype(dtype):
    with pytest.raises(ValueError, match="float32 or float64"):
        scale_images(np.zeros((1, 4), dtype=np.uint8), dtype=dtype)


def test_scale_images_rejects_scalar():
    with pytest.raises(ValueError, match="0-dimensional"):
        scale_images(np.uint8(3))
