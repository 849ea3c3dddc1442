"""A batch of texts to Arrow columns, the form Ray Data, Spark's mapInArrow and Hugging Face
datasets exchange: ids (list<int32>), values (list<float32>, xVal tokenizers only) and lengths
(int32), built from one encode_batch_flat call (all cores, no copy per text)."""
import functools

import numpy as np

import xval


@functools.lru_cache(maxsize=8)
def tokenizer(path: str, options: tuple) -> "xval.Tokenizer":
    """The tokenizer of a file with its options, loaded once per process (per worker)."""
    return xval.Tokenizer.from_file(path, **dict(options))


def has_values(options: tuple) -> bool:
    return dict(options).get("numbers", "none") != "none"


def encode_columns(tok, texts, with_values: bool, threads: int = 0) -> dict:
    """{"ids", "lengths"[, "values"]} as pyarrow arrays for a list (or Arrow array) of str."""
    import pyarrow as pa
    if isinstance(texts, (pa.Array, pa.ChunkedArray)):
        if texts.null_count:
            raise ValueError("the text column holds nulls")
        texts = texts.to_pylist()
    ids, values, _, splits = tok.encode_batch_flat(list(texts), ids_only=not with_values,
                                                   threads=threads)
    offsets = pa.array(splits.astype(np.int32))  # (texts + 1,)
    out = {"ids": pa.ListArray.from_arrays(offsets, pa.array(ids, type=pa.int32())),
           "lengths": pa.array(np.diff(splits).astype(np.int32))}
    if with_values:
        out["values"] = pa.ListArray.from_arrays(offsets, pa.array(values, type=pa.float32()))
    return out


def arrow_schema(with_values: bool):
    import pyarrow as pa
    fields = [pa.field("ids", pa.list_(pa.int32())), pa.field("lengths", pa.int32())]
    if with_values:
        fields.append(pa.field("values", pa.list_(pa.float32())))
    return fields
