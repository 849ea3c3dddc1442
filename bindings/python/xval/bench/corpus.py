"""The documents a benchmark reads: text files (a document per line, or per file), JSON Lines
(a document per record: the fields asked for, or every string in it, multi-line values intact)
and Parquet (a string column), from files, folders (every such file inside, sorted) and globs.
Each document keeps its kind: the name of the file it came from."""
import glob
import json
import os
from dataclasses import dataclass
from typing import Iterable, List, Optional, Sequence

TEXT_SUFFIXES = (".txt", ".text", ".md")
JSONL_SUFFIXES = (".jsonl", ".json", ".ndjson")
PARQUET_SUFFIXES = (".parquet",)


@dataclass(frozen=True)
class Document:
    text: str
    kind: str  # the file's name without its suffix


def _files(paths: Sequence[str]) -> List[str]:
    out = []
    for p in paths:
        p = os.fspath(p)
        if os.path.isdir(p):
            for root, _, names in os.walk(p):
                out += [os.path.join(root, n) for n in names
                        if n.endswith(TEXT_SUFFIXES + JSONL_SUFFIXES + PARQUET_SUFFIXES)]
        elif os.path.exists(p):
            out.append(p)
        else:
            matched = glob.glob(p, recursive=True)
            if not matched:
                raise FileNotFoundError(f"{p}: no such file, folder or glob match")
            out += [m for m in matched if os.path.isfile(m)]
    if not out:
        raise ValueError(f"no corpus files in {', '.join(map(str, paths))}")
    return sorted(set(out))


def _strings(value) -> Iterable[str]:
    """Every string in a JSON value, in order."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _field(record, path: str):
    """A nested field ("a.b.c"); None when absent."""
    for key in path.split("."):
        if isinstance(record, dict) and key in record:
            record = record[key]
        elif isinstance(record, list) and key.isdigit() and int(key) < len(record):
            record = record[int(key)]
        else:
            return None
    return record


def _jsonl(path: str, fields: Optional[Sequence[str]]) -> Iterable[str]:
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{number}: not JSON ({e.msg})") from None
            values = [_field(record, name) for name in fields] if fields else [record]
            parts = [s for v in values if v is not None for s in _strings(v)]
            if parts:
                yield "\n".join(parts)


def _parquet(path: str, column: Optional[str]) -> Iterable[str]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise ValueError(f"{path}: reading Parquet needs pyarrow (pip install pyarrow)") from None
    table = pq.read_table(path)
    if column is None:
        import pyarrow as pa
        strings = [f.name for f in table.schema if pa.types.is_string(f.type) or
                   pa.types.is_large_string(f.type)]
        if not strings:
            raise ValueError(f"{path}: no string column")
        column = strings[0]
    if column not in table.column_names:
        raise ValueError(f"{path}: no column {column!r} (it has {', '.join(table.column_names)})")
    return [s for s in table.column(column).to_pylist() if s]


def load_corpus(paths: Sequence[str], fields: Optional[Sequence[str]] = None,
                per_file: bool = False, column: Optional[str] = None,
                max_bytes: Optional[int] = None) -> List[Document]:
    """The documents of `paths`. Text files give a document per line (per_file: one per file);
    JSON Lines a document per record (`fields`, nested with dots, else every string in it,
    joined by newlines); Parquet a document per row of `column` (else the first string
    column). max_bytes stops after that many bytes of UTF-8 text."""
    docs, total = [], 0
    for path in _files(paths):
        kind = os.path.basename(path).split(".")[0]
        if path.endswith(JSONL_SUFFIXES):
            texts = _jsonl(path, fields)
        elif path.endswith(PARQUET_SUFFIXES):
            texts = _parquet(path, column)
        else:
            with open(path, encoding="utf-8") as f:
                content = f.read()
            texts = [content] if per_file else [t for t in content.split("\n") if t]
        for text in texts:
            docs.append(Document(text, kind))
            total += len(text.encode("utf-8"))
            if max_bytes is not None and total >= max_bytes:
                return docs
    return docs
