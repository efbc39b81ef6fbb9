package ai.bayeslora.spark;

import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.core.testing.TestDevices;
import org.apache.spark.sql.SparkSession;

/**
 * The one local Spark session of this test JVM (started once, 2–3 s; stopped at JVM exit): {@code local[2,4]}, two
 * task threads with up to four attempts per task, so a failed task is retried as on a cluster.
 */
final class SparkTests {
    private static SparkSession session;

    private SparkTests() {
    }

    /**
     * The model at {@code path} on the test device ({@link TestDevices}) in float32, the oracles' dtype (a
     * SparkModel's default on CUDA would be bfloat16).
     */
    static SparkModel model(String path) {
        ComputeDevice d = TestDevices.device();
        return SparkModel.of(path).withDevice(d.name()).withDtype(d.dtype());
    }

    static synchronized SparkSession session() {
        if (session == null) {
            session = SparkSession.builder().master("local[2,4]").appName("lib-spark tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.driver.bindAddress", "127.0.0.1")
                    .getOrCreate();
            Runtime.getRuntime().addShutdownHook(new Thread(session::stop));
        }
        return session;
    }
}
