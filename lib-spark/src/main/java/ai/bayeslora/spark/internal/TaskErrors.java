package ai.bayeslora.spark.internal;

import ai.bayeslora.core.BayesLoraException;

/**
 * The error a Spark task threw, as the driver sees it: a task's exception reaches the driver as the cause of a
 * {@code SparkException} ("Job aborted due to stage failure"); the library's own errors are rethrown as themselves.
 */
public final class TaskErrors {
    private TaskErrors() {
    }

    /**
     * The {@link BayesLoraException} or {@link IllegalArgumentException} in {@code e}'s cause chain (the user's error),
     * else {@code e} itself (a checked {@code SparkException} wrapped in an {@link IllegalStateException}).
     *
     * @param e what a Spark action threw
     * @return the exception to rethrow
     */
    public static RuntimeException unwrap(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof BayesLoraException || t instanceof IllegalArgumentException) {
                return (RuntimeException) t;
            }
        }
        return e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
    }
}
