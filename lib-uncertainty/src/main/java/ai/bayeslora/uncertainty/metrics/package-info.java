/**
 * Calibration, uncertainty and detection metrics, each exactly as defined in docs METHODS.md §4 and §7, one metric per
 * class:
 * <ul>
 *   <li>{@link ai.bayeslora.uncertainty.metrics.Accuracy}, {@link ai.bayeslora.uncertainty.metrics.NegativeLogLikelihood},
 *       {@link ai.bayeslora.uncertainty.metrics.BrierScore} and
 *       {@link ai.bayeslora.uncertainty.metrics.ExpectedCalibrationError} (with MCE and the reliability diagram) on the
 *       predictive p̄ with labels, held in a validated {@link ai.bayeslora.uncertainty.metrics.LabeledProbabilities};</li>
 *   <li>{@link ai.bayeslora.uncertainty.metrics.PredictiveEntropy},
 *       {@link ai.bayeslora.uncertainty.metrics.ExpectedEntropy} and
 *       {@link ai.bayeslora.uncertainty.metrics.MutualInformation} over posterior samples, bundled as
 *       {@link ai.bayeslora.uncertainty.metrics.UncertaintyDecomposition};</li>
 *   <li>{@link ai.bayeslora.uncertainty.metrics.Auroc} and {@link ai.bayeslora.uncertainty.metrics.Aupr} for OOD and
 *       misclassification detection ({@link ai.bayeslora.uncertainty.metrics.DetectionProblem});</li>
 *   <li>{@link ai.bayeslora.uncertainty.metrics.SelectivePrediction}, the risk–coverage curve and AURC;</li>
 *   <li>{@link ai.bayeslora.uncertainty.metrics.Metrics#evaluate} bundling the usual figures in a
 *       {@link ai.bayeslora.uncertainty.metrics.MetricReport}.</li>
 * </ul>
 * Every metric takes plain Java arrays (or {@link ai.bayeslora.uncertainty.ProbabilitySamples}); the tensor forms live
 * in {@link ai.bayeslora.uncertainty.interop.TensorMetrics}, which copies a tensor into float64 arrays (metrics are
 * cheap) and calls these, so both compute the same numbers. Invalid input throws
 * {@link ai.bayeslora.uncertainty.metrics.InvalidMetricInputException}; a metric that is undefined for its input (AUROC
 * or AUPR with one class) throws {@link ai.bayeslora.uncertainty.metrics.UndefinedMetricException}. Results are
 * immutable. Logs are natural, entropies in nats.
 */
package ai.bayeslora.uncertainty.metrics;
