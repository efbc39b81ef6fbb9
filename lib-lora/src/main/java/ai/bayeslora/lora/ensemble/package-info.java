/**
 * Deep ensembles of LoRA adapters on one shared base model (docs/METHODS.md §4).
 * {@link ai.bayeslora.lora.ensemble.EnsembleTrainer} trains M members (one after the other or interleaved in one
 * stacked forward, {@link ai.bayeslora.lora.ensemble.EnsembleTrainingMode});
 * {@link ai.bayeslora.lora.ensemble.LoraEnsemble} is the posterior predictive, evaluating all members in one batched
 * pass by default ({@link ai.bayeslora.lora.ensemble.EnsembleInference},
 * {@link ai.bayeslora.lora.ensemble.EnsembleOptions}), and saves and loads ensemble folders described by an
 * {@link ai.bayeslora.lora.ensemble.EnsembleManifest}.
 */
package ai.bayeslora.lora.ensemble;
