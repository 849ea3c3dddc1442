"""`xval encode`'s Parquet reader: python -m xval._parquet_lines FILE COLUMN writes the column's
values, a row group at a time, one JSON value a line (a string, or null) on stdout. The C++
command reads them as it reads JSON Lines; pyarrow reads the file (Debian has no Arrow for C++)."""
import json
import sys


def main() -> int:
    path, column = sys.argv[1], sys.argv[2]
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        print(f"{path}: reading Parquet needs pyarrow in this Python ({sys.executable})",
              file=sys.stderr)
        return 2
    try:
        f = pq.ParquetFile(path)
    except Exception as e:  # not Parquet, unreadable: pyarrow's message, named
        print(f"{path}: not a Parquet file ({e})", file=sys.stderr)
        return 2
    schema = f.schema_arrow
    if column not in schema.names:
        print(f"{path}: no column \"{column}\" (it has {', '.join(schema.names)})",
              file=sys.stderr)
        return 2
    kind = schema.field(column).type
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        print(f"{path}: column \"{column}\" is {kind}, not a string", file=sys.stderr)
        return 2
    out = sys.stdout
    for batch in f.iter_batches(columns=[column], batch_size=4096):
        out.write("".join(json.dumps(v, ensure_ascii=False) + "\n"
                          for v in batch.column(0).to_pylist()))
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
