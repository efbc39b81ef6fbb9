package ai.bayeslora.spark.internal;

import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.core.DeviceSelector;
import java.util.Locale;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/** The device of the calling Spark task: its GPU resource under {@code auto} (docs/SPARK.md, "GPUs"). */
public final class TaskDevices {
    /** Spark's resource name for GPUs ({@code spark.task.resource.gpu.amount}). */
    public static final String GPU = "gpu";
    private static final java.util.Map<String, ComputeDevice> CHOSEN = new java.util.concurrent.ConcurrentHashMap<>();

    private TaskDevices() {
    }

    /**
     * Resolves a device request in the calling thread.
     *
     * @param request {@code auto}, {@code cpu}, {@code cuda} or {@code cuda:N}
     * @return {@code cuda:ADDRESS} for {@code auto} in a task holding a GPU, the CPU for {@code auto} in a task
     *     without one, otherwise {@link DeviceSelector#select(String)}
     */
    public static ComputeDevice resolve(String request) {
        String r = request.trim().toLowerCase(Locale.ROOT);
        TaskContext task = TaskContext.get();
        if (r.equals("auto") && task != null) {
            ResourceInformation gpu = task.resources().get(GPU).getOrElse(() -> null);
            if (gpu != null && gpu.addresses().length > 0) {
                return select("cuda:" + gpu.addresses()[0].trim());
            }
            return ComputeDevice.cpu();
        }
        return select(r);
    }

    /**
     * {@link DeviceSelector#select}, once per request and JVM: every task asks, and the selector probes CUDA and logs
     * its choice each time it is called.
     */
    private static ComputeDevice select(String request) {
        ComputeDevice known = CHOSEN.get(request);
        if (known != null) {
            return known;
        }
        ComputeDevice d = DeviceSelector.select(request); // may throw (CUDA asked for and absent): not cached
        CHOSEN.putIfAbsent(request, d);
        return d;
    }
}
