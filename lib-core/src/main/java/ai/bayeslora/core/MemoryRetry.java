package ai.bayeslora.core;

import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs work whose memory grows with a size (prompts per chunk, rows per pass) and halves the size after an
 * out-of-memory error, so a run never dies from a budget guess (docs/DEVELOPING.md, "Devices"). The work must not
 * have side effects that a failed attempt leaves behind.
 */
public final class MemoryRetry {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryRetry.class);

    private MemoryRetry() {
    }

    /**
     * Whether {@code t} is libtorch's out-of-memory error: CUDA's caching allocator ("CUDA out of memory", or
     * {@code c10::OutOfMemoryError}) or the CPU allocator ("can't allocate memory", "not enough memory").
     *
     * @param t an exception from native code
     * @return true for an allocation failure
     */
    public static boolean isOutOfMemory(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = c.getMessage();
            if (c instanceof OutOfMemoryError) {
                return false; // the JVM heap: halving a native chunk does not help
            }
            if (m != null && (m.contains("out of memory") || m.contains("OutOfMemoryError")
                    || m.contains("not enough memory") || m.contains("can't allocate memory"))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Runs {@code attempt.apply(size)}; after an out-of-memory error it tries again with half the size, down to 1.
     *
     * @param size the first size to try (at least 1)
     * @param what what is being sized, for the log line (e.g. "linearised predictive: prompts per chunk")
     * @param attempt the work at a given size
     * @param <T> the result type
     * @return the first successful result
     * @throws RuntimeException the out-of-memory error of size 1, or any other error at once
     */
    public static <T> T halving(int size, String what, IntFunction<T> attempt) {
        if (size < 1) {
            throw new IllegalArgumentException(what + ": size must be at least 1, got " + size);
        }
        int s = size;
        while (true) {
            try {
                return attempt.apply(s);
            } catch (RuntimeException e) {
                if (!isOutOfMemory(e) || s == 1) {
                    throw e;
                }
                int next = Math.max(1, s / 2);
                LOG.warn("{}: out of memory at {}; retrying with {}", what, s, next);
                s = next;
            }
        }
    }
}
