package ai.bayeslora.core.progress.internal;

import ai.bayeslora.core.progress.ProgressTask;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A task drawn as an ASCII progress bar on stderr (me.tongfei progressbar), for terminals only. */
public final class BarProgress implements ProgressTask {
    private final ProgressBar bar;
    private boolean closed;

    /**
     * Starts the bar.
     *
     * @param name the bar's label
     * @param total units of the task, or {@code <= 0} when unknown (an indefinite bar)
     */
    public BarProgress(String name, long total) {
        this.bar = new ProgressBarBuilder().setTaskName(name).setInitialMax(total > 0 ? total : -1)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).continuousUpdate().build();
    }

    @Override
    public synchronized void advance(long units) {
        bar.stepBy(units);
    }

    @Override
    public synchronized void status(String text) {
        bar.setExtraMessage(text == null || text.isEmpty() ? "" : " " + text);
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            bar.close();
        }
    }
}
