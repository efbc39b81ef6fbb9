package ai.bayeslora.core.progress.internal;

import ai.bayeslora.core.progress.ProgressTask;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A task reported as log lines (docs/GUIDE.md, "Progress and logging"): a line when the task passed another tenth
 * of its total and at least {@code minGapNanos} went by since the last line, or when {@code maxGapNanos} went by,
 * and a closing line with the elapsed time. So a task of a few seconds logs one line, a long one at most one per
 * tenth. A task of unknown total logs on the long interval only.
 */
public final class LogProgress implements ProgressTask {
    private final String name;
    private final long total;
    private final Consumer<String> sink;
    private final LongSupplier clock;
    private final long minGapNanos;
    private final long maxGapNanos;
    private final long startNanos;
    private long lastLineNanos;
    private long done;
    private int tenthsLogged;
    private String status = "";
    private boolean closed;

    /**
     * A task that writes its lines to {@code sink}.
     *
     * @param name the task's name, first on every line
     * @param total units of the task, or {@code <= 0} when unknown
     * @param sink where the lines go (an SLF4J logger's {@code info})
     * @param clock nanosecond clock ({@link System#nanoTime} outside tests)
     * @param minGapNanos the shortest time between two lines for a new tenth
     * @param maxGapNanos the longest time between two lines
     */
    public LogProgress(String name, long total, Consumer<String> sink, LongSupplier clock, long minGapNanos,
                       long maxGapNanos) {
        this.name = name;
        this.total = total;
        this.sink = sink;
        this.clock = clock;
        this.minGapNanos = minGapNanos;
        this.maxGapNanos = maxGapNanos;
        this.startNanos = clock.getAsLong();
        this.lastLineNanos = startNanos;
    }

    @Override
    public synchronized void advance(long units) {
        done += units;
        long now = clock.getAsLong();
        // tenths passed: floor(10·done/total); the last tenth is the closing line's
        int tenths = total > 0 ? (int) Math.min(10, done * 10 / total) : 0;
        long gap = now - lastLineNanos;
        if ((tenths > tenthsLogged && tenths < 10 && gap >= minGapNanos) || gap >= maxGapNanos) {
            tenthsLogged = Math.max(tenthsLogged, tenths);
            lastLineNanos = now;
            sink.accept(line(now, false));
        }
    }

    @Override
    public synchronized void status(String text) {
        status = text == null ? "" : text;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            sink.accept(line(clock.getAsLong(), true));
        }
    }

    private String line(long now, boolean end) {
        StringBuilder b = new StringBuilder(name).append(": ");
        b.append(done);
        if (total > 0) {
            b.append('/').append(total).append(String.format(Locale.ROOT, " (%d%%)", done * 100 / total));
        }
        b.append(String.format(Locale.ROOT, end ? ", done in %.1f s" : ", %.1f s", (now - startNanos) / 1e9));
        if (!status.isEmpty()) {
            b.append(", ").append(status);
        }
        return b.toString();
    }
}
