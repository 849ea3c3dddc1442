"""xval on the engines used to prepare training data: Ray Data (a local cluster of 2 CPUs),
Apache Spark (local[2]) and Hugging Face datasets (num_proc=2) give, document by document, the
ids (and xVal values) of encoding each text alone in one process."""
import json

import pytest

import xval

from conftest import DATA

LLAMA = str(DATA / "tokenizers" / "llama2" / "tokenizer.model")
GSM8K = DATA / "corpus" / "gsm8k_test.jsonl"


@pytest.fixture(scope="module")
def records():
    rows = [json.loads(l) for l in open(GSM8K, encoding="utf-8")][:600]
    return [{"i": i, "text": r["question"] + "\n" + r["answer"]} for i, r in enumerate(rows)]


def _want(records, **options):
    tok = xval.Tokenizer.from_file(LLAMA, **options)
    return [tok.encode(r["text"]) for r in records]


def test_ray_data_map_batches(records):
    import ray
    import xval.ray
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
             ignore_reinit_error=True)
    try:
        ds = ray.data.from_items(records, override_num_blocks=4)
        for options in ({}, {"numbers": "xval"}):
            out = ds.map_batches(xval.ray.Encoder, batch_format="pyarrow", concurrency=2,
                                 fn_constructor_kwargs={"tokenizer": LLAMA, **options})
            rows = sorted(out.take_all(), key=lambda r: r["i"])
            want = _want(records, **options)
            assert len(rows) == len(records)
            for r, w in zip(rows, want):
                assert list(r["ids"]) == w.ids.tolist() and r["lengths"] == len(w.ids)
                assert r["text"] == records[r["i"]]["text"]  # the input's columns kept
                if options:
                    assert list(r["values"]) == pytest.approx(w.values.tolist(), rel=0, abs=0)
    finally:
        ray.shutdown()


def test_spark_map_in_arrow(records):
    from pyspark.sql import SparkSession
    import xval.spark
    spark = (SparkSession.builder.master("local[2]").appName("xval-test")
             .config("spark.ui.enabled", "false").getOrCreate())
    try:
        df = spark.createDataFrame(records).repartition(3)
        encode, schema = xval.spark.encoder(LLAMA, column="text")
        rows = sorted(df.mapInArrow(encode, schema(df.schema)).collect(), key=lambda r: r["i"])
        want = _want(records)
        assert len(rows) == len(records)
        for r, w in zip(rows, want):
            assert list(r["ids"]) == w.ids.tolist() and r["lengths"] == len(w.ids)
    finally:
        spark.stop()


def test_hugging_face_datasets(records):
    import datasets
    from xval.datasets import encode_dataset
    ds = datasets.Dataset.from_list(records)
    out = encode_dataset(ds, LLAMA, column="text", num_proc=2, batch_size=64, numbers="xval")
    want = _want(records, numbers="xval")
    assert out.num_rows == len(records)
    for r, w in zip(out, want):
        assert r["ids"] == w.ids.tolist() and r["values"] == pytest.approx(w.values.tolist())
        assert r["lengths"] == len(w.ids)
