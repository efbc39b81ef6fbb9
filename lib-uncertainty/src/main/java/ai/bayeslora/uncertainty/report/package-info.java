/**
 * The self-contained HTML uncertainty report: {@link ai.bayeslora.uncertainty.report.UncertaintyReport} collects
 * evaluations, OOD results, comparisons and per-epoch series and writes {@code report.html} with its CSVs and figures
 * into one folder, atomically; {@link ai.bayeslora.uncertainty.report.RunMetadata} records what produced it.
 */
package ai.bayeslora.uncertainty.report;
