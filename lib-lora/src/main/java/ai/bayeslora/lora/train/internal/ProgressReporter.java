package ai.bayeslora.lora.train.internal;

import ai.bayeslora.core.progress.Progress;
import ai.bayeslora.core.progress.ProgressListener;
import ai.bayeslora.core.progress.ProgressTask;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-epoch progress through a {@link ProgressListener} (docs/GUIDE.md, "Progress and logging"): one task per epoch
 * with the running loss, accuracy and training throughput in real (unpadded) tokens/s as its status, and an SLF4J
 * line at the end of each epoch.
 */
public final class ProgressReporter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("ai.bayeslora.lora.train");

    private final ProgressListener listener;
    private ProgressTask task;
    private int epoch;

    /**
     * A reporter on {@code listener}.
     *
     * @param listener where the epochs' progress goes
     */
    public ProgressReporter(ProgressListener listener) {
        this.listener = listener;
    }

    /**
     * The reporter for a training configuration's {@code progressBar} flag: the default listener (bars on a
     * terminal, log lines otherwise), or log lines only when the flag is off.
     *
     * @param progressBar the configuration's flag
     * @return the reporter
     */
    public static ProgressReporter forConfig(boolean progressBar) {
        return new ProgressReporter(progressBar ? Progress.defaultListener() : Progress.log());
    }

    /** Starts an epoch of {@code stepsInEpoch} optimizer steps. */
    public void startEpoch(int epochNumber, int totalEpochs, long stepsInEpoch) {
        close();
        this.epoch = epochNumber;
        String name = totalEpochs == Integer.MAX_VALUE ? "epoch " + epochNumber
                : "epoch " + epochNumber + "/" + totalEpochs;
        task = listener.start(name, stepsInEpoch);
    }

    /** One optimizer step finished. */
    public void step(double runningLoss, double runningAccuracy, double tokensPerSecond, double lr) {
        task.status(String.format(Locale.ROOT, "loss %.4f acc %.3f %.0f tok/s lr %.2e", runningLoss, runningAccuracy,
                tokensPerSecond, lr));
        task.advance(1);
    }

    /** A line for the end of an epoch. */
    public void epochEnd(String text) {
        close();
        LOG.info("epoch {}: {}", epoch, text);
    }

    @Override
    public void close() {
        if (task != null) {
            task.close();
            task = null;
        }
    }
}
