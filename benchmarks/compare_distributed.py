#!/usr/bin/env python3
"""xval inside Ray Data and Spark beside the in-process batch encoder, on 1 and 2 workers: the
math corpus's records (one document each) repeated to ~50 MB, Llama 2's tokenizer.model.

  python3 benchmarks/compare_distributed.py      (after pip install .; XVAL_DATA_DIR optional)

Times the encoding of a dataset already in the engine's memory (Ray: from_items then
materialize; Spark: a cached DataFrame then a count of mapInArrow's output), best of 2 after a
warm-up; MB/s of UTF-8 text. Workers use one core each.
"""
import os
import sys
import time

DATA = os.environ.get("XVAL_DATA_DIR", os.path.join(os.path.dirname(__file__), "..", "..",
                                                    "shared", "data"))
LLAMA = os.path.join(DATA, "tokenizers", "llama2", "tokenizer.model")


def texts():
    from xval.bench import load_corpus
    docs = [d.text for d in load_corpus([os.path.join(DATA, "corpus")])]
    return docs * 8


def best(fn, repeats=2):
    fn()
    out = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out = min(out, time.perf_counter() - start)
    return out


def main():
    import xval
    docs = texts()
    size = sum(len(t.encode()) for t in docs)
    rows = []
    tok = xval.Tokenizer.from_file(LLAMA)
    for n in (1, 2):
        rows.append(("in-process encode_batch_flat", n,
                     size / best(lambda: tok.encode_batch_flat(docs, ids_only=True, threads=n))))
    import ray
    import xval.ray
    for n in (1, 2):
        ray.init(num_cpus=n, include_dashboard=False, log_to_driver=False)
        ds = ray.data.from_items([{"text": t} for t in docs], override_num_blocks=8 * n)
        ds = ds.materialize()
        rows.append(("Ray Data map_batches", n, size / best(lambda: ds.map_batches(
            xval.ray.Encoder, fn_constructor_kwargs={"tokenizer": LLAMA, "threads": 1,
                                                     "keep": False},
            batch_format="pyarrow", concurrency=n, batch_size=2048).materialize())))
        ray.shutdown()
    from pyspark.sql import SparkSession
    import xval.spark
    for n in (1, 2):
        spark = (SparkSession.builder.master(f"local[{n}]").config("spark.ui.enabled", "false")
                 .config("spark.sql.execution.arrow.maxRecordsPerBatch", "2048").getOrCreate())
        df = spark.createDataFrame([(t,) for t in docs], ["text"]).repartition(4 * n).cache()
        df.count()
        encode, schema = xval.spark.encoder(LLAMA, column="text", threads=1)
        rows.append(("Spark mapInArrow", n,
                     size / best(lambda: df.mapInArrow(encode, schema(df.schema)).count())))
        spark.stop()
    print(f"{len(docs)} documents, {size / 1e6:.1f} MB")
    print("| engine | workers | MB/s |\n| --- | ---: | ---: |")
    for name, n, rate in rows:
        print(f"| {name} | {n} | {rate / 1e6:.1f} |")


if __name__ == "__main__":
    sys.exit(main())
