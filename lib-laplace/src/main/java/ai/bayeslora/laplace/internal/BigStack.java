package ai.bayeslora.laplace.internal;

import ai.bayeslora.core.NativeScope;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.bytedeco.pytorch.Tensor;

/**
 * Runs dense LAPACK calls (eigh, svd, cholesky) on a thread with a 256 MiB stack. OpenBLAS's LAPACK keeps large
 * work buffers on the stack: on a default 1 MiB Java thread stack {@code linalg_cholesky} of a 896×896 matrix and
 * {@code linalg_solve} crash the JVM with SIGSEGV (measured; the same calls pass on the big stack).
 *
 * <p>The body runs inside its own {@link NativeScope}; the returned tensors are moved to the caller's current scope
 * (or, without one, owned by the caller with one reference).
 */
public final class BigStack {
    private static final long STACK_BYTES = 256L << 20;
    private static final ExecutorService EXEC = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(null, r, "bayeslora-lapack", STACK_BYTES);
        t.setDaemon(true);
        return t;
    });

    private BigStack() {
    }

    /** Runs {@code body} on the big-stack thread and returns its tensors. */
    public static Tensor[] run(Supplier<Tensor[]> body) {
        Future<Tensor[]> f = EXEC.submit(() -> {
            try (NativeScope s = NativeScope.open()) {
                Tensor[] out = body.get();
                for (int i = 0; i < out.length; i++) {
                    // own handles: tensors taken from a returned tuple live inside it and die with it; one reference
                    // survives this scope, for the calling thread
                    out[i] = NativeScope.keep(new Tensor(out[i]));
                }
                return out;
            }
        });
        Tensor[] out;
        try {
            out = f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a linear-algebra call", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(c);
        }
        for (Tensor t : out) {
            NativeScope.adopt(t); // into the calling thread's scope
        }
        return out;
    }
}
