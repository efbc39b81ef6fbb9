/**
 * Uncertainty estimation over any posterior (docs/METHODS.md §4, §7). A posterior is a
 * {@link ai.bayeslora.uncertainty.PosteriorPredictive}: it returns per-member or per-sample class probabilities
 * {@link ai.bayeslora.uncertainty.ProbabilitySamples} [S, B, C] for a batch, combined by a
 * {@link ai.bayeslora.uncertainty.MemberAveraging}. {@link ai.bayeslora.uncertainty.UncertaintyEstimator} is the entry
 * point: it predicts ({@link ai.bayeslora.uncertainty.Prediction}, with the total/aleatoric/epistemic decomposition),
 * evaluates ({@link ai.bayeslora.uncertainty.EvaluationReport}), detects out-of-distribution inputs
 * ({@link ai.bayeslora.uncertainty.OodReport}, {@link ai.bayeslora.uncertainty.DetectionScore}) and compares posteriors
 * ({@link ai.bayeslora.uncertainty.Comparison}). {@link ai.bayeslora.uncertainty.TemperatureScaled} is the calibrated
 * point baseline.
 *
 * <p>Subpackages: {@code metrics} (the metrics themselves), {@code plot} (figures) and {@code report} (the HTML
 * report).
 */
package ai.bayeslora.uncertainty;
