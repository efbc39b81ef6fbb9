package ai.bayeslora.core.progress;

/**
 * Receives the progress of long-running work. Each piece of work (an epoch, a pass over a dataset, a Laplace fit)
 * is one {@link ProgressTask}, started here and closed when it ends. The library's own listeners are made by
 * {@link Progress}; a custom one can forward the counts anywhere (a GUI, metrics).
 *
 * <p>Listeners are called from the thread doing the work; one listener may be given several tasks at a time by
 * different threads, so an implementation keeps per-task state in the task it returns.
 */
@FunctionalInterface
public interface ProgressListener {
    /**
     * Starts a task.
     *
     * @param name what is being done, e.g. {@code "epoch 2/8"} or {@code "ensemble (M=5) cqa.jsonl"}
     * @param total the number of units the task will take (steps, examples), or a value {@code <= 0} when unknown
     * @return the task, to advance and close
     */
    ProgressTask start(String name, long total);
}
