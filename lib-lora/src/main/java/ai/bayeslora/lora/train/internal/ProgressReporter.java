package ai.bayeslora.lora.train.internal;

import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-epoch progress: a progress bar on stderr when attached to a terminal (and enabled), otherwise an SLF4J line
 * about every tenth of an epoch. Shows the running loss, accuracy and training throughput in real (unpadded) tokens/s.
 */
public final class ProgressReporter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("ai.bayeslora.lora.train");

    private final boolean useBar;
    private ProgressBar bar;
    private int epoch;
    private long steps;
    private long done;
    private long logEvery;

    public ProgressReporter(boolean enabled) {
        this.useBar = enabled && System.console() != null;
    }

    /** Starts an epoch of {@code stepsInEpoch} optimizer steps. */
    public void startEpoch(int epochNumber, int totalEpochs, long stepsInEpoch) {
        close();
        this.epoch = epochNumber;
        this.steps = stepsInEpoch;
        this.done = 0;
        this.logEvery = Math.max(1, stepsInEpoch / 10);
        String task = totalEpochs == Integer.MAX_VALUE ? "epoch " + epochNumber
                : "epoch " + epochNumber + "/" + totalEpochs;
        if (useBar) {
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(stepsInEpoch)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).continuousUpdate().build();
        }
    }

    /** One optimizer step finished. */
    public void step(double runningLoss, double runningAccuracy, double tokensPerSecond, double lr) {
        done++;
        String msg = String.format(Locale.ROOT, "loss %.4f acc %.3f %.0f tok/s lr %.2e", runningLoss, runningAccuracy,
                tokensPerSecond, lr);
        if (bar != null) {
            bar.step();
            bar.setExtraMessage(" " + msg);
        } else if (done % logEvery == 0 || done == steps) {
            LOG.info("epoch {} step {}/{}: {}", epoch, done, steps, msg);
        }
    }

    /** A line for the end of an epoch. */
    public void epochEnd(String text) {
        close();
        LOG.info("epoch {}: {}", epoch, text);
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
