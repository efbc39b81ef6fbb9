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
import java.util.function.Supplier;
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
    private static final Map<Key, Once<BayesLora>> MODELS = new ConcurrentHashMap<>();
    private static final Map<Object, Once<AutoCloseable>> SHARED = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(ExecutorModels::closeAll, "bayeslora-executor-models"));
    }

    private ExecutorModels() {
    }

    private record Key(Path dir, ComputeDevice device, Object prompt) {
    }

    /**
     * A value built on first use by whichever thread asks first, while the others asking for it wait; the map only
     * holds these, so a load of seconds (a 7B model) never runs inside the map's own update (which would block
     * unrelated keys). A failed build leaves it empty and is dropped from the map, so the next task tries again.
     */
    private static final class Once<T> {
        private final Supplier<T> build;
        private T value;

        Once(Supplier<T> build) {
            this.build = build;
        }

        synchronized T get() {
            if (value == null) {
                value = build.get();
            }
            return value;
        }

        synchronized T built() {
            return value;
        }
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
        return get(MODELS, new Key(dir, device, spec.prompt()), k -> new Once<>(() -> {
            long t0 = System.nanoTime();
            BayesLora b = BayesLora.open(dir, device, spec.prompt().format());
            LOG.info("loaded model {} on {} in {} ms (shared by this JVM's tasks)", spec.path(), device.name(),
                    (System.nanoTime() - t0) / 1_000_000);
            return b;
        }));
    }

    /** The built value under {@code key}; a failed build is removed, so the next caller builds with its own loader. */
    private static <K, T> T get(Map<K, Once<T>> map, K key, Function<K, Once<T>> create) {
        Once<T> once = map.computeIfAbsent(key, create);
        try {
            return once.get();
        } catch (RuntimeException | Error e) {
            map.remove(key, once);
            throw e;
        }
    }

    /**
     * A shared object (a posterior, a predictive) under {@code key}, built once by {@code load}. The key must name
     * everything the object depends on, the model's key included (for example a record of the {@link SparkModel},
     * the device and the posterior's path and options). {@code load} may itself ask for models and other shared
     * objects.
     *
     * @param key the object's identity
     * @param load builds it on first use
     * @param <T> its type
     * @return the shared object (never close it)
     */
    @SuppressWarnings("unchecked")
    public static <T extends AutoCloseable> T shared(Object key, Function<Object, T> load) {
        return (T) get(SHARED, key, k -> new Once<>(() -> load.apply(k)));
    }

    /** Closes every shared object, then every model; idempotent. */
    static synchronized void closeAll() {
        List<AutoCloseable> order = new ArrayList<>();
        for (Once<AutoCloseable> o : SHARED.values()) {
            order.add(o.built());
        }
        SHARED.clear();
        for (Once<BayesLora> o : MODELS.values()) {
            order.add(o.built());
        }
        MODELS.clear();
        for (AutoCloseable c : order) {
            if (c == null) {
                continue; // never built, or its build failed
            }
            try {
                c.close();
            } catch (Exception | Error e) {
                LOG.warn("closing {} at JVM exit failed: {}", c, e.toString());
            }
        }
    }
}
