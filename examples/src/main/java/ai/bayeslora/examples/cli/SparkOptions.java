package ai.bayeslora.examples.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/** {@code --master}, {@code --conf} and {@code --app-name}: the Spark session of a {@code bayeslora spark} command. */
final class SparkOptions {
    @Option(names = "--master", paramLabel = "URL", description = {"Spark master: local[N] (embedded, N task "
        + "threads), spark://HOST:PORT, yarn, k8s://URL. Default: spark.master as spark-submit sets it, else local[*]."})
    String master;

    @Option(names = "--conf", paramLabel = "KEY=VALUE", description = "A Spark setting, as spark-submit's --conf "
        + "(repeatable), for example spark.task.resource.gpu.amount=1.")
    Map<String, String> conf = new LinkedHashMap<>();

    @Option(names = "--app-name", paramLabel = "NAME", description = "Spark application name (default: bayeslora "
        + "and the command).")
    String appName;

    /**
     * The session: a new embedded one for {@code local[...]}, else the cluster's. The Spark UI stays off in local
     * mode (a CLI run is short and the port may be taken).
     */
    SparkSession session(String command) {
        SparkSession.Builder b = SparkSession.builder().appName(appName == null ? "bayeslora " + command : appName);
        String m = master != null ? master : System.getProperty("spark.master", "local[*]");
        b.master(m);
        if (m.startsWith("local")) {
            b.config("spark.ui.enabled", "false");
        }
        conf.forEach(b::config);
        return b.getOrCreate();
    }
}
