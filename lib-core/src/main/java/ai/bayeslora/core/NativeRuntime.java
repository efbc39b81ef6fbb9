package ai.bayeslora.core;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One-time setup of libtorch's CPU threading. libtorch's OpenMP pool and OpenBLAS's own pthread pool each want every
 * core; when both are active they spin against each other and small ops become 10–20× slower (measured: tiny-model
 * step 16.5 ms vs 1.9 ms; 110M-model forward 80 vs 137 GFLOP/s on 2 cores). The default gives the cores to BLAS
 * (where the FLOPs are) and runs libtorch's intra-op parallelism on one thread.
 *
 * <p>This is the one process-wide setting the libraries make, and they make it on the first model load
 * ({@code CausalLM.build}); it changes libtorch's thread count for every user of libtorch in the JVM. Override it with
 * the system property {@code bayeslora.intraOpThreads}: a number of threads, or {@code keep} to leave libtorch as
 * the application configured it; setting {@code OMP_NUM_THREADS} in the environment also leaves libtorch alone
 * (docs/GUIDE.md, "Process-wide settings").
 */
public final class NativeRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(NativeRuntime.class);
    private static volatile boolean configured;

    private NativeRuntime() {
    }

    /** Applies the threading policy once per JVM; cheap to call again. */
    public static void configure() {
        if (configured) {
            return;
        }
        synchronized (NativeRuntime.class) {
            if (configured) {
                return;
            }
            String prop = System.getProperty("bayeslora.intraOpThreads");
            Loader.load(torch.class);
            if (prop != null && prop.trim().equals("keep")) {
                LOG.debug("libtorch intra-op threads left as configured (bayeslora.intraOpThreads=keep)");
            } else if (prop != null) {
                int n = threads(prop);
                torch.set_num_threads(n);
                LOG.debug("libtorch intra-op threads = {} (bayeslora.intraOpThreads)", n);
            } else if (System.getenv("OMP_NUM_THREADS") == null) {
                torch.set_num_threads(1);
                LOG.debug("libtorch intra-op threads = 1; BLAS uses all {} cores", Runtime.getRuntime().availableProcessors());
            }
            configured = true; // after a bad property's error, the next load reports it again
        }
    }

    private static int threads(String prop) {
        try {
            int n = Integer.parseInt(prop.trim());
            if (n >= 1) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new BayesLoraException("system property bayeslora.intraOpThreads must be a positive number of threads "
                + "or 'keep', got '" + prop + "'");
    }
}
