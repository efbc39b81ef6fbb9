package ai.bayeslora.core.progress;

import ai.bayeslora.core.progress.internal.BarProgress;
import ai.bayeslora.core.progress.internal.LogProgress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The standard {@link ProgressListener}s and the process default that the libraries use when a caller passes none.
 *
 * <ul>
 *   <li>{@link #terminal()}: ASCII bars on stderr; only sensible when stderr is a terminal.</li>
 *   <li>{@link #log()}: INFO lines to the SLF4J logger {@value #LOGGER}: one per tenth of a task but not within
 *       {@value #LOG_MIN_GAP_SECONDS} s of the last, at least one per {@value #LOG_INTERVAL_SECONDS} s, and a
 *       closing line. With no SLF4J binding on the class path
 *       SLF4J prints nothing, so a library user sees no progress until they add one (e.g. slf4j-simple).</li>
 *   <li>{@link #auto()} (the default): bars when stderr is a terminal, log lines otherwise, so no {@code \r} frames
 *       end up in a redirected file.</li>
 *   <li>{@link #none()}: nothing.</li>
 * </ul>
 *
 * See docs/GUIDE.md, "Progress and logging".
 */
public final class Progress {
    /** The SLF4J logger that {@link #log()} writes to. */
    public static final String LOGGER = "ai.bayeslora.progress";
    /** The longest time between two lines of {@link #log()} while a task runs. */
    public static final long LOG_INTERVAL_SECONDS = 30;
    /** The shortest time between two lines of {@link #log()} for a new tenth of a task. */
    public static final long LOG_MIN_GAP_SECONDS = 5;

    private static final ProgressListener NONE = (name, total) -> new ProgressTask() {
        @Override
        public void advance(long units) {
        }

        @Override
        public void close() {
        }
    };

    private static volatile ProgressListener defaultListener;

    private Progress() {
    }

    /** {@return a listener that ignores everything} */
    public static ProgressListener none() {
        return NONE;
    }

    /**
     * {@return a listener writing SLF4J INFO lines on logger {@value #LOGGER}: per tenth of a task (5 s apart), at
     * least every 30 s, and at its end}
     */
    public static ProgressListener log() {
        Logger logger = LoggerFactory.getLogger(LOGGER);
        return (name, total) -> new LogProgress(name, total, logger::info, System::nanoTime,
                LOG_MIN_GAP_SECONDS * 1_000_000_000L, LOG_INTERVAL_SECONDS * 1_000_000_000L);
    }

    /** {@return a listener drawing ASCII progress bars on stderr (updated every 250 ms)} */
    public static ProgressListener terminal() {
        return BarProgress::new;
    }

    /** {@return {@link #terminal()} when stderr is a terminal ({@link #stderrIsTerminal()}), else {@link #log()}} */
    public static ProgressListener auto() {
        return stderrIsTerminal() ? terminal() : log();
    }

    /**
     * The listener the libraries use when the caller gives none: {@link #auto()} unless
     * {@link #setDefaultListener(ProgressListener)} chose another.
     *
     * @return the default listener
     */
    public static ProgressListener defaultListener() {
        ProgressListener l = defaultListener;
        return l != null ? l : auto();
    }

    /**
     * Replaces the process-wide default listener (for example {@link #none()} in a server, or a GUI's). Only the
     * caller's own choice changes it; the libraries never do.
     *
     * @param listener the new default, or null to go back to {@link #auto()}
     */
    public static void setDefaultListener(ProgressListener listener) {
        defaultListener = listener;
    }

    /**
     * Whether stderr is a terminal. On Linux, {@code /proc/self/fd/2} names the device: a terminal is
     * {@code /dev/pts/N} or {@code /dev/ttyN}. Elsewhere {@link System#console()} is the best Java 17 offers (it is
     * non-null when stdin and stdout are a terminal).
     *
     * @return true when bars can be drawn on stderr
     */
    public static boolean stderrIsTerminal() {
        Path fd = Path.of("/proc/self/fd/2");
        if (Files.isSymbolicLink(fd)) {
            try {
                String target = Files.readSymbolicLink(fd).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
            } catch (java.io.IOException | SecurityException e) {
                return System.console() != null;
            }
        }
        return System.console() != null;
    }

    /**
     * Starts a task on {@code listener}, or on the default listener when it is null.
     *
     * @param listener the caller's listener, or null
     * @param name the task's name
     * @param total units the task will take, or {@code <= 0} when unknown
     * @return the started task
     */
    public static ProgressTask start(ProgressListener listener, String name, long total) {
        return Objects.requireNonNullElseGet(listener, Progress::defaultListener).start(name, total);
    }
}
