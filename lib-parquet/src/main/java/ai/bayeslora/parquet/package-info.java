/**
 * Parquet datasets (HF datasets' shards) for lib-core's loaders: {@link ai.bayeslora.parquet.ParquetRowReader} is the
 * {@link ai.bayeslora.core.data.TableRowReader} found by {@code ServiceLoader} when this optional module is on the
 * class path; {@code McqaDatasets.load} then reads {@code .parquet} files and shard folders (docs/DEVELOPING.md,
 * "Parquet").
 */
package ai.bayeslora.parquet;
