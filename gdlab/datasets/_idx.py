"""Reader for the IDX file format used by MNIST and Fashion-MNIST.

The format is described on the MNIST page (LeCun, Cortes and Burges,
yann.lecun.com/exdb/mnist): a 4-byte magic number (two zero bytes, a data
type code and the number of dimensions), then one big-endian uint32 per
dimension, then the values in C order, big-endian.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import struct
import zlib
from math import prod

import numpy as np

__all__ = ["DatasetError", "DatasetNotFoundError", "read_idx"]


class DatasetError(ValueError):
    """A data file is missing, truncated, corrupt or not the expected file.

    The message names the file and says what is wrong with it.
    """


class DatasetNotFoundError(DatasetError, FileNotFoundError):
    """A data file does not exist (also a :class:`FileNotFoundError`)."""


# IDX data type code -> dtype of the values as stored (big-endian).
_IDX_DTYPES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def read_idx(path: str | os.PathLike, *, sha256: str | None = None) -> np.ndarray:
    """Read an IDX file, gzip-compressed or not, into a NumPy array.

    Parameters
    ----------
    path : str or path-like
        The file. A name ending in ``.gz`` is decompressed with gzip; any
        other name is read as an uncompressed IDX file.
    sha256 : str, optional
        Expected SHA256 hex digest of the file's bytes as stored (that is,
        of the compressed file for ``.gz``). When given, it is checked
        before anything is parsed. Default ``None``: no check.

    Returns
    -------
    numpy.ndarray
        A new, writable, native-endian array whose shape is the dimensions
        in the header. Its dtype follows the header's type code: 0x08
        uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32,
        0x0E float64 (MNIST files give uint8).

    Raises
    ------
    DatasetNotFoundError
        If the file does not exist.
    DatasetError
        If the file cannot be read, is empty, does not match `sha256`
        (the message shows both digests), holds a broken or truncated
        gzip stream, has a bad magic number or an unknown type code, or
        if its payload is shorter or longer than the header's dimensions
        call for. Every message starts with the file's path.

    Notes
    -----
    IDX format: Y. LeCun, C. Cortes and C. J. C. Burges, "The MNIST
    database of handwritten digits", yann.lecun.com/exdb/mnist.
    """
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except FileNotFoundError as exc:
        raise DatasetNotFoundError(f"{path}: file not found") from exc
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read the file ({exc})") from exc
    if not raw:
        raise DatasetError(f"{path}: the file is empty (0 bytes)")
    if sha256 is not None:
        expected, actual = sha256.lower(), hashlib.sha256(raw).hexdigest()
        if actual != expected:
            raise DatasetError(
                f"{path}: SHA256 mismatch: expected {expected}, got {actual} "
                "(the file is corrupt, truncated or not the expected file)"
            )
    if os.fspath(path).endswith(".gz"):
        try:
            raw = gzip.decompress(raw)
        except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as exc:
            raise DatasetError(
                f"{path}: broken or truncated gzip stream ({type(exc).__name__}: {exc})"
            ) from exc
    return _parse_idx(raw, path)


def _parse_idx(data: bytes, path) -> np.ndarray:
    """Parse the bytes of an uncompressed IDX file; `path` is for messages."""
    if len(data) < 4:
        raise DatasetError(
            f"{path}: truncated IDX header ({len(data)} bytes, the magic number needs 4)"
        )
    if data[0] != 0 or data[1] != 0:
        raise DatasetError(
            f"{path}: not an IDX file (magic number starts with bytes "
            f"0x{data[0]:02X} 0x{data[1]:02X}, expected 0x00 0x00)"
        )
    code, ndim = data[2], data[3]
    dtype = _IDX_DTYPES.get(code)
    if dtype is None:
        known = ", ".join(f"0x{c:02X}" for c in _IDX_DTYPES)
        raise DatasetError(f"{path}: unknown IDX data type code 0x{code:02X} (known: {known})")
    header_len = 4 + 4 * ndim
    if len(data) < header_len:
        raise DatasetError(
            f"{path}: truncated IDX header ({len(data)} bytes, {ndim} dimensions need {header_len})"
        )
    dims = struct.unpack(f">{ndim}I", data[4:header_len])
    count = prod(dims)
    expected, actual = count * dtype.itemsize, len(data) - header_len
    if actual < expected:
        raise DatasetError(
            f"{path}: truncated payload: {actual} bytes, but shape {dims} of "
            f"{dtype.name} needs {expected}"
        )
    if actual > expected:
        raise DatasetError(
            f"{path}: {actual - expected} trailing bytes after the {expected}-byte "
            f"payload of shape {dims} of {dtype.name}"
        )
    values = np.frombuffer(data, dtype=dtype, count=count, offset=header_len)
    return values.reshape(dims).astype(dtype.newbyteorder("="))
