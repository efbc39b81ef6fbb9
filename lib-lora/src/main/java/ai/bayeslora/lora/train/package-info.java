/**
 * Fine-tuning one LoRA adapter (docs/METHODS.md §3): {@link ai.bayeslora.lora.train.LoraTrainer} runs the loop set by
 * an immutable {@link ai.bayeslora.lora.train.TrainingConfig} (optimizer
 * {@link ai.bayeslora.lora.train.OptimizerConfig}, {@link ai.bayeslora.lora.train.LearningRateSchedule},
 * {@link ai.bayeslora.lora.train.Prior}), with checkpoints that resume bit-exactly, early stopping, and
 * {@link ai.bayeslora.lora.train.TrainingListener}s (SWAG collection uses one). The result is a
 * {@link ai.bayeslora.lora.train.TrainingResult} of per-epoch {@link ai.bayeslora.lora.train.EpochSummary}s.
 *
 * <p>{@link ai.bayeslora.lora.train.Prior#stepPenalty} and {@link ai.bayeslora.lora.train.TrainingObjective} are
 * extension points inside the autograd graph, so they take and return libtorch tensors (docs/API.md, "Tensors in
 * signatures").
 */
package ai.bayeslora.lora.train;
