package ai.bayeslora.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.safetensors.SafetensorsFile;
import ai.bayeslora.core.testing.Fixtures;
import ai.bayeslora.core.testing.TestDevices;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spark laplace-fit --master local[2]} against {@code laplace fit} on the same tiny Llama (float64), adapter and
 * 9 verbatim prompts, K-FAC with λ tuned: the manifests agree field by field (the provenance and counts exactly, the
 * log-likelihood, λ and evidence to 1e-9 relative) and so do the saved tensors (θ* exactly; eigenvalues to 1e-9 of the
 * largest). The runs differ only in batch composition (3 partitions of 3 rows against batches of 4) and the order of
 * the float64 sums: SparkLaplaceFitTest derives bounds near 1e-12 relative for such a fit, so 1e-9 still catches a
 * float32 rounding (1e-7) or a lost partition (1/9). A row without an answer, found inside a Spark task, exits 2 with
 * the library's one-line message.
 */
class SparkLaplaceFitCliTest {
    @TempDir
    Path tmp;

    @Test
    void sameOutputAsLaplaceFit() throws Exception {
        Path model = Fixtures.model("tiny-llama");
        Path adapterDir = LaplaceCliTest.adapter(model, tmp.resolve("adapter"));
        Path data = tmp.resolve("train.jsonl");
        Files.writeString(data, LaplaceCliTest.verbatimRows(true));
        String[] common = {"--model", model.toString(), "--adapter", adapterDir.toString(), "--data", data.toString(),
            "--structure", "kfac", "--dtype", "float64", "--device", TestDevices.device().name(), "--eval-batch-size",
            "4"};
        Path one = tmp.resolve("one");
        Path spark = tmp.resolve("spark");
        assertThat(BayesLoraCli.run(concat(new String[] {"laplace", "fit"}, common, "--out", one.toString())))
                .isZero();
        assertThat(BayesLoraCli.run(concat(new String[] {"spark", "laplace-fit", "--master", "local[2]",
            "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
            "--conf", "spark.ui.enabled=false", "--partitions", "3"}, common, "--out", spark.toString()))).isZero();

        ObjectMapper json = new ObjectMapper();
        JsonNode a = json.readTree(one.resolve("manifest.json").toFile());
        JsonNode b = json.readTree(spark.resolve("manifest.json").toFile());
        for (String exact : new String[] {"format", "structure", "fisher", "positions", "num_examples",
            "num_parameters", "class_labels", "modules", "blocks", "model_path", "adapter_path",
            "adapter_fingerprint", "dtype"}) {
            assertThat(b.get(exact)).as(exact).isEqualTo(a.get(exact));
        }
        for (String close : new String[] {"log_likelihood", "log_evidence", "prior_precision"}) {
            double want = a.get(close).asDouble();
            assertThat(b.get(close).asDouble()).as(close).isCloseTo(want, within(1e-9 * Math.abs(want)));
        }
        try (SafetensorsFile fa = SafetensorsFile.open(one.resolve("posterior.safetensors"));
             SafetensorsFile fb = SafetensorsFile.open(spark.resolve("posterior.safetensors"));
             PointerScope s = new PointerScope()) {
            assertThat(fb.names()).isEqualTo(fa.names());
            Device cpu = new Device("cpu");
            for (String name : fa.names()) {
                double[] x = Tensors.toDoubles(fa.tensor(name, ScalarType.Double, cpu));
                double[] y = Tensors.toDoubles(fb.tensor(name, ScalarType.Double, cpu));
                assertThat(y).as(name).hasSameSizeAs(x);
                if (name.equals("theta_map")) {
                    assertThat(y).as(name).containsExactly(x);
                } else if (name.endsWith(".e")) {
                    double top = 0;
                    for (double v : x) {
                        top = Math.max(top, Math.abs(v));
                    }
                    for (int i = 0; i < x.length; i++) {
                        assertThat(y[i]).as(name + "[" + i + "]").isCloseTo(x[i], within(1e-9 * top));
                    }
                }
            }
        }

        // --out as a Hadoop URI (file: here, the path hdfs:// and s3a:// take): the same posterior, uploaded into a
        // hidden sibling and renamed into place; the files equal the local output's byte for byte but for the
        // marker's timestamp (same partitions, same sums)
        Path uploaded = tmp.resolve("uploaded");
        assertThat(BayesLoraCli.run(concat(new String[] {"spark", "laplace-fit", "--master", "local[2]",
            "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
            "--conf", "spark.ui.enabled=false", "--partitions", "3"}, common, "--out", uploaded.toUri().toString())))
                .isZero();
        for (String file : new String[] {"manifest.json", "posterior.safetensors"}) {
            assertThat(Files.readAllBytes(uploaded.resolve(file))).as(file)
                    .isEqualTo(Files.readAllBytes(spark.resolve(file)));
        }
        assertThat(uploaded.resolve(ai.bayeslora.core.io.AtomicOutput.MARKER)).isRegularFile();
        try (java.util.stream.Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(q -> q.getFileName().toString())).noneMatch(n -> n.startsWith(".uploaded."));
        }

        // a row without an answer: the task's LaplaceException reaches the user as one line, exit 2
        Path unlabelled = tmp.resolve("unlabelled.jsonl");
        Files.writeString(unlabelled, LaplaceCliTest.verbatimRows(false));
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int code;
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            code = BayesLoraCli.run("spark", "laplace-fit", "--master", "local[2]", "--conf",
                    "spark.driver.host=127.0.0.1", "--model", model.toString(), "--adapter", adapterDir.toString(),
                    "--data", unlabelled.toString(), "--dtype", "float64", "--device", TestDevices.device().name(),
                    "--out", tmp.resolve("bad").toString());
        } finally {
            System.setErr(err);
        }
        assertThat(code).isEqualTo(2);
        String text = captured.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("no answer label").doesNotContain("SparkException");
        assertThat(tmp.resolve("bad")).doesNotExist();
    }

    private static String[] concat(String[] head, String[] mid, String... tail) {
        String[] out = new String[head.length + mid.length + tail.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(mid, 0, out, head.length, mid.length);
        System.arraycopy(tail, 0, out, head.length + mid.length, tail.length);
        return out;
    }
}
