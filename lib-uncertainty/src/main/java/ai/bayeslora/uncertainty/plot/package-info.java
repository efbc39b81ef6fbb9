/**
 * Figures of the report, rendered with XChart to PNG and SVG: each class builds one kind of
 * {@link ai.bayeslora.uncertainty.plot.Figure} ({@link ai.bayeslora.uncertainty.plot.ReliabilityDiagram},
 * {@link ai.bayeslora.uncertainty.plot.UncertaintyHistogram}, {@link ai.bayeslora.uncertainty.plot.HistogramGrid},
 * {@link ai.bayeslora.uncertainty.plot.EpochCurves}) from plain arrays.
 */
package ai.bayeslora.uncertainty.plot;
