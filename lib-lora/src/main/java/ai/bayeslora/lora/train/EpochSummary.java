package ai.bayeslora.lora.train;

import ai.bayeslora.lora.LoraAdapter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What one epoch produced.
 *
 * @param epoch 1-based epoch
 * @param globalStep optimizer steps so far
 * @param trainLoss mean training objective over the epoch
 * @param trainAccuracy accuracy on the training batches seen in the epoch (with dropout active)
 * @param validationNll mean validation NLL, if validation data was given
 * @param validationAccuracy validation accuracy, if validation data was given
 * @param checkpoint the adapter checkpoint folder written for this epoch, if any
 * @param adapter the adapter being trained
 */
public record EpochSummary(int epoch, long globalStep, double trainLoss, double trainAccuracy,
                           OptionalDouble validationNll, OptionalDouble validationAccuracy,
                           Optional<Path> checkpoint, LoraAdapter adapter) {
}
