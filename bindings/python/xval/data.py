"""Reading the token shards `xval encode` writes (docs/shards.md) as numpy views of the
memory-mapped files, without copies.

    from xval.data import Dataset
    ds = Dataset("shards/")          # the folder with manifest.json
    len(ds), ds.tokens               # documents, tokens
    ids = ds[7]                      # document 7's ids (uint16 or uint32 view)
    ids, values = ds.document(7)     # and its xVal values (None without them)
    for shard in ds.shards:          # shard.ids, shard.bounds, shard.values: whole arrays
        ...
"""
import json
import os
from typing import List, Optional, Tuple

import numpy as np

MAGIC = b"XVALTOK1"
HEADER = np.dtype([("magic", "S8"), ("version", "<u4"), ("id_bytes", "<u4"), ("flags", "<u4"),
                   ("reserved", "<u4"), ("documents", "<u8"), ("tokens", "<u8"),
                   ("ids_offset", "<u8"), ("bounds_offset", "<u8"), ("values_offset", "<u8")])


class Shard:
    """One shard file: ids (tokens,) uint16/uint32, bounds (documents + 1,) uint64 (document d
    is ids[bounds[d]:bounds[d + 1]]), values (tokens,) float32 or None."""

    def __init__(self, path: str):
        self.path = path
        data = np.memmap(path, dtype=np.uint8, mode="r")
        if data.size < HEADER.itemsize:
            raise ValueError(f"{path}: not a shard (too short)")
        h = data[:HEADER.itemsize].view(HEADER)[0]
        if bytes(h["magic"]) != MAGIC:
            raise ValueError(f"{path}: not a shard (no XVALTOK1 magic)")
        if int(h["version"]) != 1 or int(h["id_bytes"]) not in (2, 4):
            raise ValueError(f"{path}: shard version {int(h['version'])}, id_bytes "
                             f"{int(h['id_bytes'])} (this reader knows version 1, 2 or 4)")
        n, docs = int(h["tokens"]), int(h["documents"])
        id_dtype = np.dtype("<u2" if int(h["id_bytes"]) == 2 else "<u4")

        def section(offset, dtype, count):
            end = offset + dtype.itemsize * count
            if end > data.size:
                raise ValueError(f"{path}: not a valid shard (a section past the end)")
            return data[offset:end].view(dtype)
        self.ids = section(int(h["ids_offset"]), id_dtype, n)
        self.bounds = section(int(h["bounds_offset"]), np.dtype("<u8"), docs + 1)
        self.values = (section(int(h["values_offset"]), np.dtype("<f4"), n)
                       if int(h["flags"]) & 1 else None)
        if docs and (int(self.bounds[0]) != 0 or int(self.bounds[-1]) != n):
            raise ValueError(f"{path}: not a valid shard (document bounds)")

    def __len__(self) -> int:
        return len(self.bounds) - 1

    def document(self, d: int) -> Tuple[np.ndarray, Optional[np.ndarray]]:
        b, e = int(self.bounds[d]), int(self.bounds[d + 1])
        return self.ids[b:e], None if self.values is None else self.values[b:e]


class Dataset:
    """The shards of a folder, in the manifest's order, as one sequence of documents."""

    def __init__(self, folder: str):
        with open(os.path.join(folder, "manifest.json"), encoding="utf-8") as f:
            self.manifest = json.load(f)
        if self.manifest.get("format") != "xval-shards":
            raise ValueError(f"{folder}/manifest.json: not an xval-shards manifest")
        self.complete = bool(self.manifest.get("complete"))
        self.shards: List[Shard] = [Shard(os.path.join(folder, s["file"]))
                                    for s in self.manifest["shards"]]
        self._starts = np.cumsum([0] + [len(s) for s in self.shards])

    def __len__(self) -> int:
        return int(self._starts[-1])

    @property
    def tokens(self) -> int:
        return sum(len(s.ids) for s in self.shards)

    def document(self, i: int) -> Tuple[np.ndarray, Optional[np.ndarray]]:
        if not -len(self) <= i < len(self):
            raise IndexError(f"document {i} of {len(self)}")
        i %= len(self)
        k = int(np.searchsorted(self._starts, i, side="right") - 1)
        return self.shards[k].document(i - int(self._starts[k]))

    def __getitem__(self, i: int) -> np.ndarray:
        return self.document(i)[0]

    def __iter__(self):
        for shard in self.shards:
            for d in range(len(shard)):
                yield shard.document(d)[0]


__all__ = ["Dataset", "Shard"]
