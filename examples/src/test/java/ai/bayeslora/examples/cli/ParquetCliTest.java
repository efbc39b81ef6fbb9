package ai.bayeslora.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HF Parquet files on the command line: {@code predict} on the bundled tiny model scores a Parquet file exactly as
 * the same rows written as JSONL (same prompts, same batches, so equal probabilities), {@code --format} still names
 * the dataset kind, and a bad file exits with code 2 naming it. The fixtures are lib-parquet's (written by
 * hyparquet-writer, lib-parquet/src/test/parquet-fixtures).
 */
class ParquetCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Surefire runs in the module folder; the fixtures live in the sibling module's test resources. */
    private static final Path FIXTURES = Path.of("..", "lib-parquet", "src", "test", "resources", "ai", "bayeslora",
            "parquet").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    private List<JsonNode> predict(String... args) throws IOException {
        Path out = tmp.resolve("pred-" + Files.list(tmp).count() + ".jsonl");
        List<String> all = new ArrayList<>(List.of("predict", "--device", "cpu", "--out", out.toString()));
        all.addAll(List.of(args));
        PrintStream old = System.out;
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
            assertThat(BayesLoraCli.run(all.toArray(String[]::new))).isZero();
        } finally {
            System.setOut(old);
        }
        List<JsonNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(out)) {
            ObjectNode n = (ObjectNode) JSON.readTree(line);
            n.remove("id"); // file#row against file:line when a dataset has no ids
            rows.add(n);
        }
        return rows;
    }

    @Test
    void predictScoresAParquetFileAsItsJsonl() throws IOException {
        List<JsonNode> jsonl = predict("--data", FIXTURES.resolve("mmlu-test.jsonl").toString());
        assertThat(jsonl).hasSize(2);
        assertThat(predict("--data", FIXTURES.resolve("mmlu-test.parquet").toString())).isEqualTo(jsonl);
        assertThat(predict("--data", FIXTURES.resolve("mmlu-test.parquet").toString(), "--format", "MMLU_HF"))
                .isEqualTo(jsonl);
        // a folder of one split's shards (here one shard)
        Path shards = Files.createDirectories(tmp.resolve("mmlu-all"));
        Files.copy(FIXTURES.resolve("mmlu-test.parquet"), shards.resolve("test-00000-of-00001.parquet"));
        assertThat(predict("--data", shards.toString())).isEqualTo(jsonl);
        // ARC's 4-choice rows with --choices, numeric labels relabelled; OpenBookQA
        List<JsonNode> arc = predict("--data", FIXTURES.resolve("arc-challenge-test.parquet").toString(),
                "--format", "ARC", "--choices", "4");
        assertThat(arc).hasSize(2).isEqualTo(predict("--data", FIXTURES.resolve("arc-challenge-test.jsonl").toString(),
                "--format", "ARC", "--choices", "4"));
        assertThat(predict("--data", FIXTURES.resolve("openbookqa-test.parquet").toString()))
                .isEqualTo(predict("--data", FIXTURES.resolve("openbookqa-test.jsonl").toString()));
    }

    @Test
    void aBadParquetFileExitsWithCode2NamingIt() throws IOException {
        Path cut = tmp.resolve("cut.parquet");
        byte[] bytes = Files.readAllBytes(FIXTURES.resolve("mmlu-test.parquet"));
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Path bad = FIXTURES.resolve("bad/mmlu-null-question.parquet");
        for (Path p : List.of(cut, bad)) {
            PrintStream oldErr = System.err;
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code;
            try {
                code = BayesLoraCli.run("predict", "--device", "cpu", "--data", p.toString());
            } finally {
                System.setErr(oldErr);
            }
            assertThat(code).as(p.toString()).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains(p.toString());
        }
    }
}
