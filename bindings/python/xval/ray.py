"""xval on Ray Data: a map_batches callable that loads the tokenizer once per worker.

    import ray, xval.ray
    ds = ray.data.read_json("corpus/*.jsonl")
    out = ds.map_batches(xval.ray.Encoder, fn_constructor_kwargs={
                             "tokenizer": "tokenizer.model", "column": "text"},
                         batch_format="pyarrow", concurrency=4)

Each output batch is the input's columns (keep=True) or none of them, plus ids (list<int32>),
lengths (int32) and, for xVal tokenizers (numbers="xval"), values (list<float32>): the ids of
encoding each text alone.
"""
from . import _columns


class Encoder:
    """Encodes `column` of each Arrow batch. Options are from_file's (digits=, numbers=, ...);
    threads: cores per worker (0: all it may use)."""

    def __init__(self, tokenizer: str, column: str = "text", keep: bool = True, threads: int = 0,
                 **options):
        self.options = tuple(sorted(options.items()))
        self.tok = _columns.tokenizer(str(tokenizer), self.options)
        self.column, self.keep, self.threads = column, keep, threads

    def __call__(self, batch):
        import pyarrow as pa
        if self.column not in batch.column_names:
            raise ValueError(f"no column {self.column!r} (the batch has "
                             f"{', '.join(batch.column_names)})")
        columns = _columns.encode_columns(self.tok, batch.column(self.column),
                                          _columns.has_values(self.options), self.threads)
        if not self.keep:
            return pa.table(columns)
        for name, array in columns.items():
            batch = batch.append_column(name, array)
        return batch


__all__ = ["Encoder"]
