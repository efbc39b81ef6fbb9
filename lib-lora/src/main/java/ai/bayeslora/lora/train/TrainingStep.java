package ai.bayeslora.lora.train;

import ai.bayeslora.lora.LoraAdapter;

/**
 * State after one optimizer step.
 *
 * @param epoch 1-based epoch
 * @param globalStep optimizer steps so far (1-based)
 * @param loss the step's training objective (data term plus prior), averaged over its micro-batches
 * @param learningRate the learning rate used for this step
 * @param adapter the adapter being trained (its parameters already updated)
 */
public record TrainingStep(int epoch, long globalStep, double loss, double learningRate, LoraAdapter adapter) {
}
