package ai.bayeslora.core.progress;

/** One running task of a {@link ProgressListener}: advanced as units finish, closed when the task ends. */
public interface ProgressTask extends AutoCloseable {
    /**
     * Records that {@code units} more units (steps, examples) are done.
     *
     * @param units units finished since the last call, {@code >= 0}
     */
    void advance(long units);

    /**
     * Replaces the task's status text (e.g. running loss and throughput), shown with the next update.
     *
     * @param text the status, or an empty string for none
     */
    default void status(String text) {
    }

    /** Ends the task (a bar is completed, a log listener writes its closing line). Idempotent. */
    @Override
    void close();
}
