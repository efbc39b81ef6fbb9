package ai.bayeslora.lora.train.internal;

import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.McqaExample;
import ai.bayeslora.lora.train.TrainingDataException;

/** Checks on the data a training run is given. */
public final class TrainingData {
    private TrainingData() {
    }

    /**
     * @param role {@code training} or {@code validation}, for the message
     * @throws TrainingDataException naming the first example without an answer
     */
    public static void requireLabels(McqaDataset data, String role) {
        for (McqaExample e : data.examples()) {
            if (e.answer() < 0) {
                throw new TrainingDataException(data.source() + ": " + role + " example '" + e.id()
                        + "' has no answer; " + role + " data must be labelled");
            }
        }
    }
}
