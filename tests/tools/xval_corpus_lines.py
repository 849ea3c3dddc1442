#!/usr/bin/env python3
"""Prints the math corpus (../shared/data/corpus/*.jsonl) one text per line, as the tests read
it (tests/python/conftest.py corpus_lines, tests/support/corpus.cc): every string of every
record, nested ones included, in document order, each line of a multi-line string on its own.
For `xval tokenize --stats` (docs/benchmarks-xval.md).

Usage: python3 tests/tools/xval_corpus_lines.py [DATA_DIR] > /tmp/corpus.txt
"""
import os
import sys


def main():
    if len(sys.argv) > 1:
        os.environ["XVAL_DATA_DIR"] = sys.argv[1]
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
    from conftest import corpus_lines  # the one corpus reader of the Python side

    sys.stdout.writelines(line + "\n" for line in corpus_lines())


if __name__ == "__main__":
    main()
