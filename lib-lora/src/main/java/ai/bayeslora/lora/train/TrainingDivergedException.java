package ai.bayeslora.lora.train;

import ai.bayeslora.core.BayesLoraException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The loss or the gradient became NaN or infinite. Training stops before the optimizer applies the bad step, so the
 * adapter in memory holds the parameters after the last good step, and checkpoints already written are untouched.
 */
public class TrainingDivergedException extends BayesLoraException {
    private static final long serialVersionUID = 1L;

    /** The 1-based epoch. */
    private final int epoch;
    /** The 1-based optimizer step that was not applied. */
    private final long step;
    private final transient Optional<Path> lastCheckpoint;

    /**
     * @param epoch the 1-based epoch
     * @param step the 1-based optimizer step that failed
     * @param what which quantity was not finite, with its value, e.g. "loss = NaN (micro-batch 2 of 4)"
     * @param lastCheckpoint the last checkpoint written, if any
     */
    public TrainingDivergedException(int epoch, long step, String what, Optional<Path> lastCheckpoint) {
        super("training diverged at epoch " + epoch + ", step " + step + ": " + what + "; "
                + lastCheckpoint.map(p -> "last good checkpoint: " + p).orElse("no checkpoint was written")
                + ". Lower the learning rate or enable gradient clipping.");
        this.epoch = epoch;
        this.step = step;
        this.lastCheckpoint = lastCheckpoint;
    }

    /** {@return the 1-based epoch in which training diverged} */
    public int epoch() {
        return epoch;
    }

    /** {@return the 1-based optimizer step that was not applied} */
    public long step() {
        return step;
    }

    /** {@return the last checkpoint written before the failure, if any} */
    public Optional<Path> lastCheckpoint() {
        return lastCheckpoint == null ? Optional.empty() : lastCheckpoint;
    }
}
