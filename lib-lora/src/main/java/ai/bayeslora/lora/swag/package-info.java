/**
 * SWAG-LoRA and MultiSWAG (METHODS.md §5): a Gaussian over the LoRA parameters fitted to the training trajectory.
 *
 * <pre>{@code
 * SwagCollector swag = new SwagCollector(SwagConfig.builder().startEpoch(4).build());
 * // register swag as a TrainingListener; from epoch 4 on use the SWAG learning rate (base / 10)
 * try (SwagPosterior posterior = swag.posterior()) {
 *     posterior.save(dir);
 *     PosteriorPredictive predictive = posterior.predictive(adapter, scorer, seed);   // S = 15 samples
 *     ProbabilitySamples p = predictive.predict(batch);                                 // [S, B, C]
 * }
 * }</pre>
 *
 * <p>{@link ai.bayeslora.lora.swag.SwagCollector} gathers the moments during training;
 * {@link ai.bayeslora.lora.swag.SwagPosterior} is the immutable result (sampling, save/load);
 * {@link ai.bayeslora.lora.swag.SwagPredictive} and {@link ai.bayeslora.lora.swag.MultiSwag} are the sample-based
 * predictives.
 */
package ai.bayeslora.lora.swag;
