package ai.bayeslora.examples.cli;

import ai.bayeslora.lora.TestAdapters;
import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.testing.TestDevices;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.lora.ensemble.LoraEnsemble;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bayeslora spark score --master local[2]} against {@code bayeslora evaluate} on the same 10 questions with
 * the same 2-member ensemble and batches of 4: every row's values equal those in evaluate's per-example CSV, which
 * prints 6 significant digits (%.6g), so |spark − csv| ≤ 5e-6·|value| (half a unit in the sixth digit); the rows are
 * scored in evaluate's batches (the command partitions whole batches), so on the CPU the only difference is the CSV's
 * rounding (on CUDA, where reruns agree only to rounding, {@link TestDevices#float32Tolerance()} more).
 * The metrics equal report.json's. A missing posterior folder exits 2 naming it. One Spark session serves the test
 * JVM: created here, so the command leaves it running.
 */
class SparkScoreCliTest {
    private static SparkSession spark;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void session() {
        spark = SparkSession.builder().master("local[2]").appName("spark score cli test")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /**
     * The test device's name, asked for in each test (an unusable device fails the tests, not the class); every
     * command runs there in float32 (CUDA's default would be bfloat16).
     */
    private static String device() {
        return TestDevices.device().name();
    }

    private static synchronized Path ensemble() {
        Path dir = tmp.resolve("ensemble");
        if (Files.isDirectory(dir)) {
            return dir;
        }
        Path model = BundledData.tinyLlamaModel();
        try (CausalLM m = CausalLM.load(model, TestDevices.device()); HfTokenizer tok = HfTokenizer.load(model)) {
            LoraEnsemble.Builder b = LoraEnsemble.builder(m, AnswerTokens.of(tok, List.of("A", "B", "C", "D")));
            for (long s = 1; s <= 2; s++) {
                b.member(TestAdapters.rank2QV(m, s, s, 0.2), s);
            }
            try (LoraEnsemble e = b.build()) {
                e.save(dir);
            }
        }
        return dir;
    }

    private static int run(ByteArrayOutputStream err, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return BayesLoraCli.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void scoresEqualEvaluatesRowsAndABadFolderExits2() throws Exception {
        Path ens = ensemble();
        String data = BundledData.syntheticMcqa().toString();
        Path evalOut = tmp.resolve("evaluate");
        Path sparkOut = tmp.resolve("spark");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(err, "evaluate", "--device", device(), "--dtype", "float32", "--ensemble", ens.toString(),
                "--data", data, "--limit", "10", "--eval-batch-size", "4", "--out", evalOut.toString()))
                .as(err.toString()).isZero();
        assertThat(run(err, "spark", "score", "--master", "local[2]", "--device", device(), "--dtype", "float32",
                "--ensemble", ens.toString(), "--data", data, "--limit", "10", "--eval-batch-size", "4",
                "--partitions", "2", "--out", sparkOut.toString())).as(err.toString()).isZero();
        assertThat(spark.sparkContext().isStopped()).as("the command keeps a session it did not create").isFalse();

        Path csv;
        try (Stream<Path> s = Files.list(evalOut)) {
            csv = s.filter(p -> p.getFileName().toString().matches("examples-.*\\.csv")).findFirst().orElseThrow();
        }
        List<String> lines = Files.readAllLines(csv);
        List<String> header = List.of(lines.get(0).split(","));
        Map<String, String[]> byId = new HashMap<>();
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.split(",");
            byId.put(f[0], f);
        }
        List<Row> rows = spark.read().parquet(sparkOut.resolve("scores").toString()).collectAsList();
        assertThat(rows).hasSize(10).hasSize(byId.size());
        for (Row r : rows) {
            String[] want = byId.get(r.<String>getAs("id"));
            assertThat(r.<String>getAs("prediction")).isEqualTo(want[header.indexOf("predicted")]);
            List<Double> p = r.getList(r.fieldIndex("probabilities"));
            for (int c = 0; c < p.size(); c++) {
                close(p.get(c), want[header.indexOf("p_" + (char) ('A' + c))]);
            }
            close(r.getAs("confidence"), want[header.indexOf("confidence")]);
            close(r.getAs("predictive_entropy"), want[header.indexOf("predictive_entropy")]);
            close(r.getAs("expected_entropy"), want[header.indexOf("expected_entropy")]);
            close(r.getAs("mutual_information"), want[header.indexOf("mutual_information")]);
        }
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var metrics = json.readTree(sparkOut.resolve("metrics.json").toFile());
        String report = Files.readString(evalOut.resolve("report.json"));
        assertThat(metrics.get("examples").asInt()).isEqualTo(10);
        assertThat(report).contains(String.valueOf(metrics.get("accuracy").asDouble()));

        ByteArrayOutputStream bad = new ByteArrayOutputStream();
        Path missing = tmp.resolve("no-such-ensemble");
        assertThat(run(bad, "spark", "score", "--master", "local[2]", "--device", device(), "--dtype", "float32",
                "--ensemble", missing.toString(), "--data", data, "--limit", "4", "--out",
                tmp.resolve("bad").toString()))
                .isEqualTo(2);
        assertThat(bad.toString(StandardCharsets.UTF_8)).contains(missing.toString()).doesNotContain("\tat ");
        // a URI goes to the executors as typed (they copy it through Hadoop): one with no file system here fails
        // there, and comes back as one line naming it
        ByteArrayOutputStream remote = new ByteArrayOutputStream();
        assertThat(run(remote, "spark", "score", "--master", "local[2]", "--device", device(), "--dtype", "float32",
                "--model", "nosuchfs://cluster/models/tiny", "--ensemble", ens.toString(), "--data", data,
                "--limit", "4", "--out", tmp.resolve("remote").toString())).isEqualTo(2);
        assertThat(remote.toString(StandardCharsets.UTF_8)).contains("nosuchfs://cluster/models/tiny")
                .doesNotContain("\tat ");
        assertThat(tmp.resolve("remote")).doesNotExist();
    }

    /**
     * An output URI (here {@code file:}, the path hdfs:// and s3a:// take too) is written by Spark into a hidden
     * sibling and renamed into place, with the tool's marker; it is refused when it exists (without --overwrite) and
     * when the folder there is not the tool's, which is left as it was.
     */
    @Test
    void aHadoopOutputIsWrittenAtomicallyAndNeverReplacesForeignFolders() throws Exception {
        Path ens = ensemble();
        String data = BundledData.syntheticMcqa().toString();
        Path target = tmp.resolve("hadoop-out");
        String uri = target.toUri().toString();
        String[] args = {"spark", "score", "--master", "local[2]", "--device", device(), "--dtype", "float32",
            "--ensemble", ens.toString(), "--data", data, "--limit", "4", "--out", uri};
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(err, args)).as(err.toString()).isZero();
        assertThat(target.resolve("metrics.json")).isRegularFile();
        assertThat(target.resolve(ai.bayeslora.core.io.AtomicOutput.MARKER)).isRegularFile();
        assertThat(spark.read().parquet(target.resolve("scores").toString()).count()).isEqualTo(4);
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".hadoop-out."));
        }
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        assertThat(run(again, args)).isEqualTo(2);
        assertThat(again.toString(StandardCharsets.UTF_8)).contains("--overwrite");
        String[] overwrite = java.util.Arrays.copyOf(args, args.length + 1);
        overwrite[args.length] = "--overwrite";
        assertThat(run(err, overwrite)).as(err.toString()).isZero();
        Path foreign = Files.createDirectories(tmp.resolve("foreign"));
        Files.writeString(foreign.resolve("keep.txt"), "not bayeslora's");
        args[args.length - 1] = foreign.toUri().toString();
        String[] foreignOverwrite = java.util.Arrays.copyOf(args, args.length + 1);
        foreignOverwrite[args.length] = "--overwrite";
        ByteArrayOutputStream refused = new ByteArrayOutputStream();
        assertThat(run(refused, foreignOverwrite)).isEqualTo(2);
        assertThat(refused.toString(StandardCharsets.UTF_8)).contains("not written by bayeslora");
        try (Stream<Path> s = Files.list(foreign)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("keep.txt");
        }
    }

    /**
     * Within the CSV's rounding; where the device is not bitwise reproducible (CUDA) the same batches agree only to
     * rounding, so {@link TestDevices#float32Tolerance()} more.
     */
    private static void close(double got, String csv) {
        double want = Double.parseDouble(csv);
        double rerun = TestDevices.bitwiseReproducible() ? 1e-300 : TestDevices.float32Tolerance();
        assertThat(Math.abs(got - want)).as("%s vs %s", got, csv).isLessThanOrEqualTo(5e-6 * Math.abs(got) + rerun);
    }
}
