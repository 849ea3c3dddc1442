"""xval on Hugging Face datasets: encode_dataset adds ids, lengths (and xVal values) columns
with batched map, the tokenizer loaded once per process (num_proc workers included)."""
from . import _columns


def encode_dataset(dataset, tokenizer: str, column: str = "text", num_proc: int = None,
                   batch_size: int = 1000, threads: int = 0, **options):
    """dataset.map(batched=True) that encodes `column`; options are from_file's. Returns the
    new dataset with ids (list of int32), lengths and, for numbers="xval", values."""
    key = tuple(sorted(options.items()))
    path, with_values = str(tokenizer), _columns.has_values(key)

    def encode(batch):
        columns = _columns.encode_columns(_columns.tokenizer(path, key), batch[column],
                                          with_values, threads)
        return {name: array.to_pylist() for name, array in columns.items()}
    return dataset.map(encode, batched=True, batch_size=batch_size, num_proc=num_proc)


__all__ = ["encode_dataset"]
