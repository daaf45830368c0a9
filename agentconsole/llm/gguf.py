"""Reading and validating a GGUF file's header without llama.cpp.

llama.cpp aborts the whole process on some malformed files, so every model is
checked here first: magic, version, tensor and key/value counts, every length
against the bytes actually present, tensor shapes, and that the tensor data
the header describes fits in the file (a truncated download is caught before
llama.cpp maps it). The same pass yields the metadata that ``agentconsole
models`` shows (architecture, quantization, context length, parameter count,
chat template), so listing models never loads one.

Only the header is parsed; it is read through ``mmap`` so a multi-gigabyte
model costs a few page faults.
"""

from __future__ import annotations

import math
import mmap
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentconsole.errors import AgentConsoleError

GGUF_MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)
DEFAULT_ALIGNMENT = 32
_MAX_TENSORS = 1 << 20
_MAX_KV = 1 << 20
_MAX_DIMS = 4  # GGML_MAX_DIMS

# GGUF metadata value types.
_UINT8, _INT8, _UINT16, _INT16, _UINT32, _INT32, _FLOAT32, _BOOL, _STRING, _ARRAY, _UINT64, _INT64, _FLOAT64 = range(13)
_SCALARS: dict[int, struct.Struct] = {
    _UINT8: struct.Struct("<B"),
    _INT8: struct.Struct("<b"),
    _UINT16: struct.Struct("<H"),
    _INT16: struct.Struct("<h"),
    _UINT32: struct.Struct("<I"),
    _INT32: struct.Struct("<i"),
    _FLOAT32: struct.Struct("<f"),
    _BOOL: struct.Struct("<?"),
    _UINT64: struct.Struct("<Q"),
    _INT64: struct.Struct("<q"),
    _FLOAT64: struct.Struct("<d"),
}
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")

#: ggml tensor type -> (name, elements per block, bytes per block).
GGML_TYPES: dict[int, tuple[str, int, int]] = {
    0: ("F32", 1, 4),
    1: ("F16", 1, 2),
    2: ("Q4_0", 32, 18),
    3: ("Q4_1", 32, 20),
    6: ("Q5_0", 32, 22),
    7: ("Q5_1", 32, 24),
    8: ("Q8_0", 32, 34),
    9: ("Q8_1", 32, 36),
    10: ("Q2_K", 256, 84),
    11: ("Q3_K", 256, 110),
    12: ("Q4_K", 256, 144),
    13: ("Q5_K", 256, 176),
    14: ("Q6_K", 256, 210),
    15: ("Q8_K", 256, 292),
    16: ("IQ2_XXS", 256, 66),
    17: ("IQ2_XS", 256, 74),
    18: ("IQ3_XXS", 256, 98),
    19: ("IQ1_S", 256, 50),
    20: ("IQ4_NL", 32, 18),
    21: ("IQ3_S", 256, 110),
    22: ("IQ2_S", 256, 82),
    23: ("IQ4_XS", 256, 136),
    24: ("I8", 1, 1),
    25: ("I16", 1, 2),
    26: ("I32", 1, 4),
    27: ("I64", 1, 8),
    28: ("F64", 1, 8),
    29: ("IQ1_M", 256, 56),
    30: ("BF16", 1, 2),
    34: ("TQ1_0", 256, 54),
    35: ("TQ2_0", 256, 66),
    39: ("MXFP4", 32, 17),
}

#: llama_ftype (``general.file_type``) -> the quantization name people use.
FILE_TYPES: dict[int, str] = {
    0: "F32",
    1: "F16",
    2: "Q4_0",
    3: "Q4_1",
    7: "Q8_0",
    8: "Q5_0",
    9: "Q5_1",
    10: "Q2_K",
    11: "Q3_K_S",
    12: "Q3_K_M",
    13: "Q3_K_L",
    14: "Q4_K_S",
    15: "Q4_K_M",
    16: "Q5_K_S",
    17: "Q5_K_M",
    18: "Q6_K",
    19: "IQ2_XXS",
    20: "IQ2_XS",
    21: "Q2_K_S",
    22: "IQ3_XS",
    23: "IQ3_XXS",
    24: "IQ1_S",
    25: "IQ4_NL",
    26: "IQ3_S",
    27: "IQ3_M",
    28: "IQ2_S",
    29: "IQ2_M",
    30: "IQ4_XS",
    31: "IQ1_M",
    32: "BF16",
    36: "TQ1_0",
    37: "TQ2_0",
    38: "MXFP4_MOE",
}


class ModelError(AgentConsoleError):
    """A model file cannot be used (missing, not GGUF, truncated, checksum mismatch)."""


class ModelNotFound(ModelError):
    """No file at the given path, and no model of that name."""


class ModelNotGGUF(ModelError):
    """The file is not a GGUF model (wrong magic or unsupported version)."""


class ModelTruncated(ModelError):
    """The GGUF header or tensor data ends before the file does, or is inconsistent."""


@dataclass(frozen=True)
class TensorInfo:
    name: str
    shape: tuple[int, ...]
    ggml_type: int
    offset: int

    @property
    def n_elements(self) -> int:
        return math.prod(self.shape)

    @property
    def n_bytes(self) -> int | None:
        """Size of the tensor's data, or None for a ggml type this reader does not know."""
        known = GGML_TYPES.get(self.ggml_type)
        if known is None:
            return None
        _, block, block_bytes = known
        return self.n_elements // block * block_bytes


@dataclass(frozen=True)
class GGUFHeader:
    """What the header says about a model. Large arrays (the vocabulary) are summarised by length."""

    path: Path
    version: int
    file_size: int
    metadata: dict[str, Any]
    tensors: tuple[TensorInfo, ...] = field(repr=False)
    data_offset: int = 0
    array_lengths: dict[str, int] = field(default_factory=dict, repr=False)

    @property
    def architecture(self) -> str:
        return str(self.metadata.get("general.architecture", "unknown"))

    @property
    def name(self) -> str:
        return str(self.metadata.get("general.name", ""))

    @property
    def quantization(self) -> str:
        file_type = self.metadata.get("general.file_type")
        if isinstance(file_type, int) and file_type in FILE_TYPES:
            return FILE_TYPES[file_type]
        # No (known) file type: the most common tensor type says it.
        counts: dict[str, int] = {}
        for tensor in self.tensors:
            type_name = GGML_TYPES.get(tensor.ggml_type, (f"type{tensor.ggml_type}", 1, 1))[0]
            counts[type_name] = counts.get(type_name, 0) + tensor.n_elements
        return max(counts, key=counts.__getitem__) if counts else "unknown"

    @property
    def context_length(self) -> int | None:
        value = self.metadata.get(f"{self.architecture}.context_length")
        return int(value) if isinstance(value, int) else None

    @property
    def parameter_count(self) -> int:
        """Sum of the elements of every tensor (the model's weights)."""
        return sum(t.n_elements for t in self.tensors)

    @property
    def chat_template(self) -> str | None:
        value = self.metadata.get("tokenizer.chat_template")
        return value if isinstance(value, str) and value.strip() else None


class _Cursor:
    """Bounds-checked reads over the mapped file; any overrun is a truncation."""

    def __init__(self, view: memoryview, path: Path) -> None:
        self.view = view
        self.pos = 0
        self.path = path

    def truncated(self, what: str) -> ModelTruncated:
        return ModelTruncated(f"model file is truncated or corrupt ({what} at byte {self.pos}): {self.path}")

    def take(self, n: int, what: str) -> memoryview:
        end = self.pos + n
        if n < 0 or end > len(self.view):
            raise self.truncated(what)
        chunk = self.view[self.pos : end]
        self.pos = end
        return chunk

    def u32(self, what: str) -> int:
        value: int = _U32.unpack(self.take(4, what))[0]
        return value

    def u64(self, what: str) -> int:
        value: int = _U64.unpack(self.take(8, what))[0]
        return value

    def string(self, what: str) -> str:
        length = self.u64(what)
        return bytes(self.take(length, what)).decode("utf-8", "replace")

    def skip_string(self, what: str) -> None:
        length = self.u64(what)
        self.take(length, what)

    def value(self, value_type: int, what: str) -> Any:
        scalar = _SCALARS.get(value_type)
        if scalar is not None:
            return scalar.unpack(self.take(scalar.size, what))[0]
        if value_type == _STRING:
            return self.string(what)
        raise self.truncated(f"unknown value type {value_type} in {what}")


def _read_array(cur: _Cursor, key: str, keep: bool) -> tuple[Any, int]:
    item_type = cur.u32(f"array type of {key}")
    count = cur.u64(f"array length of {key}")
    remaining = len(cur.view) - cur.pos
    if count > remaining:  # every element takes at least one byte
        raise cur.truncated(f"array {key} claims {count} elements")
    scalar = _SCALARS.get(item_type)
    if scalar is not None:
        data = cur.take(scalar.size * count, f"array {key}")
        if keep:
            return [v[0] for v in scalar.iter_unpack(data)], count
        return None, count
    if item_type == _STRING:
        items = [cur.string(f"array {key}") for _ in range(count)] if keep else None
        if not keep:
            for _ in range(count):
                cur.skip_string(f"array {key}")
        return items, count
    if item_type == _ARRAY:
        nested = [_read_array(cur, key, keep)[0] for _ in range(count)]
        return (nested if keep else None), count
    raise cur.truncated(f"unknown array element type {item_type} in {key}")


#: Arrays small enough and useful enough to keep in :attr:`GGUFHeader.metadata`.
_KEEP_ARRAY_PREFIXES = ("general.", "tokenizer.chat_template")
_KEEP_ARRAY_MAX = 64


def read_header(path: Path | str) -> GGUFHeader:
    """Parse and validate the GGUF header of ``path``.

    Raises :class:`ModelNotFound`, :class:`ModelNotGGUF` or
    :class:`ModelTruncated` with a one-line message naming the file.
    """
    path = Path(path)
    try:
        with path.open("rb") as fh:
            size = path.stat().st_size
            if not path.is_file():
                raise ModelNotGGUF(f"model path is not a regular file: {path}")
            if size < 24:
                head = fh.read(4)
                if head == GGUF_MAGIC:
                    raise ModelTruncated(f"model file is truncated ({size} bytes): {path}")
                raise ModelNotGGUF(f"model file is not GGUF: {path}")
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                view = memoryview(mapped)
                try:
                    return _parse(view, path, size)
                finally:
                    view.release()
    except FileNotFoundError:
        raise ModelNotFound(f"model file not found: {path}") from None
    except IsADirectoryError:
        raise ModelNotGGUF(f"model path is a directory, not a GGUF file: {path}") from None
    except PermissionError:
        raise ModelError(f"model file is not readable (permission denied): {path}") from None


def _parse(view: memoryview, path: Path, size: int) -> GGUFHeader:
    cur = _Cursor(view, path)
    if bytes(cur.take(4, "magic")) != GGUF_MAGIC:
        raise ModelNotGGUF(f"model file is not GGUF: {path}")
    version = cur.u32("version")
    if version not in SUPPORTED_VERSIONS:
        raise ModelNotGGUF(f"model file has unsupported GGUF version {version} (need 2 or 3): {path}")
    n_tensors = cur.u64("tensor count")
    n_kv = cur.u64("metadata count")
    if n_tensors > _MAX_TENSORS or n_kv > _MAX_KV:
        raise ModelTruncated(f"model file header is corrupt ({n_tensors} tensors, {n_kv} metadata keys): {path}")

    metadata: dict[str, Any] = {}
    array_lengths: dict[str, int] = {}
    for _ in range(n_kv):
        key = cur.string("metadata key")
        value_type = cur.u32(f"type of {key}")
        if value_type == _ARRAY:
            keep = key.startswith(_KEEP_ARRAY_PREFIXES)
            items, count = _read_array(cur, key, keep)
            array_lengths[key] = count
            if keep and count <= _KEEP_ARRAY_MAX:
                metadata[key] = items
        else:
            metadata[key] = cur.value(value_type, key)

    tensors: list[TensorInfo] = []
    for index in range(n_tensors):
        name = cur.string(f"tensor {index} name")
        n_dims = cur.u32(f"tensor {name} dimensions")
        if not 1 <= n_dims <= _MAX_DIMS:
            raise ModelTruncated(f"model file is corrupt (tensor {name} has {n_dims} dimensions): {path}")
        shape = tuple(cur.u64(f"tensor {name} shape") for _ in range(n_dims))
        ggml_type = cur.u32(f"tensor {name} type")
        offset = cur.u64(f"tensor {name} offset")
        tensors.append(TensorInfo(name, shape, ggml_type, offset))

    alignment = metadata.get("general.alignment", DEFAULT_ALIGNMENT)
    if not isinstance(alignment, int) or alignment <= 0 or alignment & (alignment - 1):
        raise ModelTruncated(f"model file is corrupt (alignment {alignment!r}): {path}")
    data_offset = (cur.pos + alignment - 1) // alignment * alignment

    end_of_data = data_offset
    for tensor in tensors:
        if tensor.offset % alignment:
            raise ModelTruncated(f"model file is corrupt (tensor {tensor.name} is misaligned): {path}")
        n_bytes = tensor.n_bytes
        end = data_offset + tensor.offset + (n_bytes if n_bytes is not None else 1)
        end_of_data = max(end_of_data, end)
    if end_of_data > size:
        raise ModelTruncated(
            f"model file is truncated: {size} bytes, its header describes {end_of_data} bytes of tensors: {path}"
        )
    return GGUFHeader(
        path=path,
        version=version,
        file_size=size,
        metadata=metadata,
        tensors=tuple(tensors),
        data_offset=data_offset,
        array_lengths=array_lengths,
    )
