/**
 * Conversion of Parquet records to the JSON rows lib-core's readers take. Not part of the API: excluded from the
 * published Javadoc, and may change without notice.
 */
package ai.bayeslora.parquet.internal;
