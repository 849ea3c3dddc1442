"""xval on Apache Spark: a mapInArrow function that loads the tokenizer once per Python worker.

    import xval.spark
    encode, schema = xval.spark.encoder("tokenizer.model", column="text")
    out = df.mapInArrow(encode, schema(df.schema))

The output rows are the input's, plus ids (array<int>), lengths (int) and, for xVal tokenizers
(numbers="xval"), values (array<float>).
"""
from . import _columns


def encoder(tokenizer: str, column: str = "text", threads: int = 0, **options):
    """(function for DataFrame.mapInArrow, schema(input schema) -> the output's schema)."""
    key = tuple(sorted(options.items()))
    path = str(tokenizer)
    with_values = _columns.has_values(key)

    def encode(batches):
        import pyarrow as pa
        tok = _columns.tokenizer(path, key)  # once per worker process (cached)
        for batch in batches:
            columns = _columns.encode_columns(tok, batch.column(column), with_values, threads)
            arrays = list(batch.columns) + list(columns.values())
            names = list(batch.schema.names) + list(columns)
            yield pa.RecordBatch.from_arrays(arrays, names=names)

    def schema(input_schema):
        from pyspark.sql.types import (ArrayType, FloatType, IntegerType, StructField,
                                       StructType)
        fields = list(input_schema.fields) + [StructField("ids", ArrayType(IntegerType())),
                                              StructField("lengths", IntegerType())]
        if with_values:
            fields.append(StructField("values", ArrayType(FloatType())))
        return StructType(fields)
    return encode, schema


__all__ = ["encoder"]
