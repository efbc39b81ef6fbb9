/**
 * Laplace-LoRA (docs/METHODS.md §6, docs/LAPLACE.md): a Gaussian posterior N(θ*, (G + λI)⁻¹) around a trained
 * adapter's parameters, with the curvature G a Fisher or GGN in one of the {@link ai.bayeslora.laplace.Structure}s
 * (full, diagonal, K-FAC, low-rank K-FAC).
 *
 * <pre>{@code
 * try (LaplacePosterior la = LaplaceLoRA.fit(scorer, adapter, trainBatches)
 *         .structure(Structure.KFAC).tunePriorPrecision().run()) {
 *     PosteriorPredictive p = la.linearized(scorer);   // or la.sampled(scorer, 15, seed)
 * }
 * }</pre>
 *
 * <p>{@link ai.bayeslora.laplace.LaplaceLoRA#fit} configures and runs the fit
 * ({@link ai.bayeslora.laplace.LaplaceConfig}); {@link ai.bayeslora.laplace.LaplacePosterior} holds the result, tunes
 * the prior precision by the marginal likelihood ({@link ai.bayeslora.laplace.PriorTuning}) and saves or loads it; its
 * predictives are the linearised {@link ai.bayeslora.laplace.LinearizedPredictive} (probit or Monte Carlo over a
 * {@link ai.bayeslora.laplace.LogitGaussian}) and the weight-sampling {@link ai.bayeslora.laplace.SampledPredictive}.
 */
package ai.bayeslora.laplace;
