package ai.bayeslora.spark.internal;

import ai.bayeslora.core.BayesLoraException;
import java.util.function.Supplier;
import org.apache.spark.SparkException;

/**
 * A task's own error, unwrapped: Spark hands an exception thrown inside a task to the driver wrapped in a
 * {@link SparkException} (with the remote stack trace in its message); the user should see the library's one-line
 * message instead.
 */
public final class TaskFailures {
    /** The message of a library or argument exception named in a Spark failure's text (first line of it). */
    private static final java.util.regex.Pattern REMOTE = java.util.regex.Pattern.compile(
            "(?:ai\\.bayeslora\\.[\\w.$]*Exception|java\\.lang\\.IllegalArgumentException): ([^\\n]*)");

    private TaskFailures() {
    }

    /**
     * Runs {@code job}; a failure caused by a {@link BayesLoraException} or an {@link IllegalArgumentException} is
     * rethrown as that cause.
     *
     * @param job the Spark job
     * @param <T> its result
     * @return the job's result
     */
    public static <T> T unwrapped(Supplier<T> job) {
        try {
            return job.get();
        } catch (Exception e) { // SparkException is checked in Java but thrown undeclared from Scala
            RuntimeException cause = userError(e);
            if (cause != null) {
                throw cause;
            }
            throw TaskFailures.<RuntimeException>rethrow(e);
        }
    }

    /**
     * What to rethrow for what a Spark action threw: the user's error inside it ({@link #userError}), else {@code e}
     * itself (a checked {@code SparkException} wrapped in an {@link IllegalStateException}).
     *
     * @param e what a Spark action threw
     * @return the exception to rethrow
     */
    public static RuntimeException unwrap(Exception e) {
        RuntimeException user = userError(e);
        if (user != null) {
            return user;
        }
        return e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
    }

    /** Rethrows {@code e} unchanged whatever its type (a Scala-thrown checked exception). */
    @SuppressWarnings("unchecked")
    private static <E extends Exception> E rethrow(Exception e) throws E {
        throw (E) e;
    }

    /**
     * The first {@link BayesLoraException} or {@link IllegalArgumentException} in {@code t}'s cause chain (itself
     * included), or null.
     *
     * @param t a failure
     * @return the user error, or null
     */
    public static RuntimeException userError(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof BayesLoraException || c instanceof IllegalArgumentException) {
                return (RuntimeException) c;
            }
        }
        // a stage failure often carries the task's exception only as text: "...: ai.bayeslora.x.YException: message"
        java.util.regex.Matcher m = REMOTE.matcher(t.getMessage() == null ? "" : t.getMessage());
        return m.find() ? new BayesLoraException(m.group(1), t) : null;
    }
}
