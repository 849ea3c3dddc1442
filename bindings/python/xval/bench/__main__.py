"""python -m xval.bench (and `xval bench`): see xval.bench.run."""
import argparse
import os
import sys


def main(argv=None) -> int:
    p = argparse.ArgumentParser(
        prog="xval bench",
        description="Tokenizers side by side on a corpus: ids checked against the reference "
                    "implementations, speed beside the installed peers (one core and all, cold "
                    "and warm, load time, peak memory), compression, and how numbers are cut. "
                    "Writes results.json and report.md into --out.")
    p.add_argument("corpus", nargs="+", help="text, JSONL or Parquet files, folders or globs")
    p.add_argument("-t", "--tokenizer", action="append", required=True, metavar="SPEC",
                   help="PATH_OR_NAME[,key=value...]: a file xval reads or a tiktoken name, "
                        "with from_file's options (digits=individual, numbers=xval, label=...)")
    p.add_argument("--field", action="append", help="JSONL fields to read (nested: a.b); "
                   "default every string of the record")
    p.add_argument("--column", help="the Parquet column (default the first string column)")
    p.add_argument("--per-file", action="store_true", help="a text file is one document")
    p.add_argument("--max-mb", type=float, help="read at most this many MB of the corpus")
    p.add_argument("--peers", default="auto",
                   help="auto (every installed peer), none, or a comma list "
                        "(sentencepiece,tokenizers,tiktoken,gigatoken,fastokens)")
    p.add_argument("--threads", help="core counts to time, comma list (default 1 and all)")
    p.add_argument("--repeats", type=int, default=3, help="timed passes after the first")
    p.add_argument("--no-speed", action="store_true", help="skip the timing (and the gate)")
    p.add_argument("--quick", action="store_true", help="smaller number samples")
    p.add_argument("--data-dir", default=os.environ.get("XVAL_DATA_DIR", ""),
                   help="where tiktoken names find their rank files")
    p.add_argument("-o", "--out", default="bench-report", help="the report folder")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    a = p.parse_args(argv)
    from . import report, run
    peers = a.peers if a.peers in ("auto", "none") else a.peers.split(",")
    try:
        results = run(a.corpus, a.tokenizer, a.out, fields=a.field, per_file=a.per_file,
                      column=a.column,
                      max_bytes=int(a.max_mb * 1e6) if a.max_mb else None, peers=peers,
                      threads=[int(n) for n in a.threads.split(",")] if a.threads else None,
                      repeats=a.repeats, speed=not a.no_speed, quick=a.quick,
                      data_dir=a.data_dir, quiet=a.quiet)
    except (ValueError, FileNotFoundError) as e:
        print(f"xval bench: {e}", file=sys.stderr)
        return 1
    print(report.terminal(results))
    print(f"\nreport: {os.path.join(a.out, 'report.md')}, {os.path.join(a.out, 'results.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
