/**
 * Implementation helpers of the metrics (input checks, entropies, ranks, tensor inputs). Not part of the API: public
 * only for use within lib-uncertainty, excluded from the published Javadoc, and may change without notice.
 */
package ai.bayeslora.uncertainty.metrics.internal;
