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
     * A command's session and whether the command created it: {@link #close()} stops only a session the command
     * started, never one an embedding program (or a test) already had running.
     *
     * @param spark the session
     * @param created whether no session existed before the command asked for one
     */
    record OpenSession(SparkSession spark, boolean created) implements AutoCloseable {
        @Override
        public void close() {
            if (created) {
                spark.stop();
            }
        }
    }

    /** {@link #session(String)}, remembering whether it was created here (close it when the command ends). */
    OpenSession open(String command) {
        boolean created = SparkSession.getActiveSession().isEmpty() && SparkSession.getDefaultSession().isEmpty();
        return new OpenSession(session(command), created);
    }

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
