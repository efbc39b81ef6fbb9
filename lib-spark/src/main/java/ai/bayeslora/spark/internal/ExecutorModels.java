package ai.bayeslora.spark.internal;

import ai.bayeslora.BayesLora;
import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.spark.SparkModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models and posteriors loaded in this JVM, one per key, shared by every task thread (the model binds adapters
 * per call, so one instance serves concurrent tasks, docs/METHODS.md §9). Everything is closed by a shutdown hook,
 * posteriors before their models; nothing is closed earlier, since a later task of the same job (or of the next job
 * on a long-lived executor) reuses it.
 */
public final class ExecutorModels {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorModels.class);
    private static final Map<Key, BayesLora> MODELS = new ConcurrentHashMap<>();
    private static final Map<Object, AutoCloseable> SHARED = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ExecutorModels::closeAll, "bayeslora-executor-models"));
    }

    private ExecutorModels() {
    }

    private record Key(Path dir, ComputeDevice device, Object prompt) {
    }

    /**
     * The shared model of {@code spec} on {@code device}, loaded on first use.
     *
     * @param spec the model description
     * @param device the resolved device
     * @return the shared entry object (never close it)
     */
    public static BayesLora model(SparkModel spec, ComputeDevice device) {
        Path dir = LocalCopies.folder(spec.path());
        return MODELS.computeIfAbsent(new Key(dir, device, spec.prompt()), k -> {
            long t0 = System.nanoTime();
            BayesLora b = BayesLora.open(dir, device, spec.prompt().format());
            LOG.info("loaded model {} on {} in {} ms (shared by this JVM's tasks)", spec.path(), device.name(),
                    (System.nanoTime() - t0) / 1_000_000);
            return b;
        });
    }

    /**
     * A shared object (a posterior, a predictive) under {@code key}, built once by {@code load}. The key must name
     * everything the object depends on, the model's key included (for example a record of the {@link SparkModel},
     * the device and the posterior's path and options).
     *
     * @param key the object's identity
     * @param load builds it on first use
     * @param <T> its type
     * @return the shared object (never close it)
     */
    @SuppressWarnings("unchecked")
    public static <T extends AutoCloseable> T shared(Object key, Function<Object, T> load) {
        return (T) SHARED.computeIfAbsent(key, load);
    }

    /** Closes every shared object, then every model; idempotent. */
    static synchronized void closeAll() {
        List<AutoCloseable> order = new ArrayList<>(SHARED.values());
        SHARED.clear();
        order.addAll(MODELS.values());
        MODELS.clear();
        for (AutoCloseable c : order) {
            try {
                c.close();
            } catch (Exception | Error e) {
                LOG.warn("closing {} at JVM exit failed: {}", c, e.toString());
            }
        }
    }
}
