package ai.bayeslora.core;

import java.util.concurrent.atomic.AtomicInteger;
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
        return halving(size, what, new Ceiling(), attempt);
    }

    /**
     * As {@link #halving(int, String, IntFunction)}, starting at no more than {@code ceiling} and lowering it after an
     * out-of-memory error, so that later calls (the next batch) start at a size that fitted instead of failing again.
     *
     * @param size the first size to try (at least 1), capped by the ceiling
     * @param what what is being sized, for the log line
     * @param ceiling the sizes that fitted so far, shared by the calls of one owner (thread-safe)
     * @param attempt the work at a given size
     * @param <T> the result type
     * @return the first successful result
     */
    public static <T> T halving(int size, String what, Ceiling ceiling, IntFunction<T> attempt) {
        if (size < 1) {
            throw new IllegalArgumentException(what + ": size must be at least 1, got " + size);
        }
        int s = Math.min(size, ceiling.get());
        while (true) {
            try {
                return attempt.apply(s);
            } catch (RuntimeException e) {
                if (!isOutOfMemory(e) || s == 1) {
                    throw e;
                }
                int next = Math.max(1, s / 2);
                ceiling.lower(next);
                LOG.warn("{}: out of memory at {}; retrying with {} (later calls start there)", what, s, next);
                s = next;
            }
        }
    }

    /** The largest size that has not run out of memory, remembered across calls; starts unlimited. Thread-safe. */
    public static final class Ceiling {
        private final AtomicInteger max = new AtomicInteger(Integer.MAX_VALUE);

        /** {@return the current ceiling ({@link Integer#MAX_VALUE} until an out-of-memory error)} */
        public int get() {
            return max.get();
        }

        void lower(int size) {
            max.accumulateAndGet(size, Math::min);
        }
    }
}
