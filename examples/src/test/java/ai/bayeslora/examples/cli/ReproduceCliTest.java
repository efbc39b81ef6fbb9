package ai.bayeslora.examples.cli;

import static ai.bayeslora.examples.cli.WorkflowCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.testing.Fixtures;
import ai.bayeslora.core.testing.TestDevices;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bayeslora reproduce} end to end on the tiny fixture model with tiny stand-in files written in the official
 * formats (CQA official JSONL, the MMLU CSV folder, ARC official JSONL with numeric labels and 3- and 5-choice rows,
 * OpenBookQA HF, BoolQ SuperGLUE, WinoGrande official), at tiny settings: every step runs, the paper's table lists
 * each posterior, --resume skips completed steps, and missing files are named.
 */
class ReproduceCliTest {
    @TempDir
    static Path tmp;
    static Path data;
    static final ObjectMapper JSON = new ObjectMapper();
    static final String[] WORDS = "river road hill town tree stone water fire cloud bird fish apple bread house door"
            .split(" ");
    static final Random RNG = new Random(5);

    static String words(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : " ").append(WORDS[RNG.nextInt(WORDS.length)]);
        }
        return sb.toString();
    }

    static void write(Path file, List<String> lines) throws Exception {
        Files.createDirectories(file.getParent());
        Files.write(file, lines);
    }

    static List<String> cqaOfficial(int n, String tag) throws Exception {
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ObjectNode o = JSON.createObjectNode();
            o.put("id", tag + i);
            ObjectNode q = o.putObject("question");
            q.put("stem", "where is the " + words(3) + "?");
            ArrayNode c = q.putArray("choices");
            for (String l : List.of("A", "B", "C", "D", "E")) {
                c.addObject().put("label", l).put("text", words(2));
            }
            o.put("answerKey", "ABCDE".substring(i % 5, i % 5 + 1));
            rows.add(JSON.writeValueAsString(o));
        }
        return rows;
    }

    /** ARC official rows: labels A–D, "1"–"4" on every third row, a 3-choice and a 5-choice row. */
    static List<String> arcOfficial(int n, String tag) throws Exception {
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = i == 1 ? 3 : i == 2 ? 5 : 4;
            boolean numeric = i % 3 == 0;
            ObjectNode o = JSON.createObjectNode();
            o.put("id", tag + i);
            ObjectNode q = o.putObject("question");
            q.put("stem", "what makes the " + words(3) + "?");
            ArrayNode c = q.putArray("choices");
            for (int j = 0; j < k; j++) {
                c.addObject().put("label", numeric ? Integer.toString(j + 1) : "ABCDE".substring(j, j + 1))
                        .put("text", words(2));
            }
            int a = i % k;
            o.put("answerKey", numeric ? Integer.toString(a + 1) : "ABCDE".substring(a, a + 1));
            rows.add(JSON.writeValueAsString(o));
        }
        return rows;
    }

    static List<String> obqaHf(int n, String tag) throws Exception {
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ObjectNode o = JSON.createObjectNode();
            o.put("id", tag + i);
            o.put("question_stem", "the " + words(3) + " is");
            ObjectNode c = o.putObject("choices");
            ArrayNode text = c.putArray("text");
            ArrayNode label = c.putArray("label");
            for (String l : List.of("A", "B", "C", "D")) {
                text.add(words(2));
                label.add(l);
            }
            o.put("answerKey", "ABCD".substring(i % 4, i % 4 + 1));
            rows.add(JSON.writeValueAsString(o));
        }
        return rows;
    }

    static List<String> boolqSuperGlue(int n) throws Exception {
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ObjectNode o = JSON.createObjectNode();
            o.put("question", "is the " + words(3));
            o.put("passage", "The " + words(8) + ".");
            o.put("idx", i);
            o.put("label", i % 2);
            rows.add(JSON.writeValueAsString(o));
        }
        return rows;
    }

    static List<String> winogrande(int n, String tag) throws Exception {
        List<String> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ObjectNode o = JSON.createObjectNode();
            o.put("qID", tag + i);
            o.put("sentence", "The " + words(2) + " _ " + words(2) + ".");
            o.put("option1", words(1));
            o.put("option2", words(1));
            o.put("answer", i % 2 == 0 ? "1" : "2");
            rows.add(JSON.writeValueAsString(o));
        }
        return rows;
    }

    @BeforeAll
    static void files() throws Exception {
        data = tmp.resolve("data");
        write(data.resolve("commonsense_qa/train_rand_split.jsonl"), cqaOfficial(30, "t"));
        write(data.resolve("commonsense_qa/dev_rand_split.jsonl"), cqaOfficial(8, "v"));
        for (String subject : List.of("astronomy", "econometrics", "philosophy")) {
            List<String> csv = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                csv.add("which " + words(3) + "?," + words(1) + "," + words(1) + "," + words(1) + "," + words(1) + ","
                        + "ABCD".charAt(i % 4));
            }
            write(data.resolve("mmlu/data/test/" + subject + "_test.csv"), csv);
        }
        write(data.resolve("ARC-Easy/ARC-Easy-Train.jsonl"), arcOfficial(14, "ae"));
        write(data.resolve("ARC-Easy/ARC-Easy-Dev.jsonl"), arcOfficial(9, "aev"));
        write(data.resolve("openbookqa/train.jsonl"), obqaHf(16, "o"));
        write(data.resolve("openbookqa/validation.jsonl"), obqaHf(8, "ov"));
        write(data.resolve("boolq/train.jsonl"), boolqSuperGlue(16));
        write(data.resolve("boolq/validation.jsonl"), boolqSuperGlue(8));
        write(data.resolve("winogrande/train_s.jsonl"), winogrande(16, "ws"));
        write(data.resolve("winogrande/dev.jsonl"), winogrande(8, "wd"));
    }

    static List<String> common(Path out) {
        return List.of("--model", Fixtures.model("tiny-llama").toString(), "--device",
                System.getProperty(TestDevices.PROPERTY, "cpu"), "--data-dir", data.toString(), "--out",
                out.toString(), "--samples", "200");
    }

    static String[] args(String paper, Path out, String... more) {
        List<String> a = new ArrayList<>(List.of("reproduce", paper));
        a.addAll(common(out));
        a.addAll(List.of(more));
        return a.toArray(new String[0]);
    }

    @Test
    void helpListsTheProtocolsAndTheirFiles() {
        WorkflowCliTest.Run top = run("reproduce", "--help");
        assertThat(top.code()).isZero();
        assertThat(top.out()).contains("balabanov2024", "yang2024", "onal2024", "needs a GPU");
        assertThat(run("reproduce", "balabanov2024", "--help").out()).contains("commonsense_qa/train",
                "mmlu/data/test", "10 bins");
        assertThat(run("reproduce", "yang2024", "--help").out()).contains("winogrande/train_s.jsonl",
                "ARC-Easy/ARC-Easy-{Train,Dev}.jsonl", "boolq/");
        assertThat(run("reproduce", "onal2024", "--help").out()).contains("20 bins", "mmlu/");
    }

    @Test
    void balabanovRunsEveryStepAndResumes() throws Exception {
        Path out = tmp.resolve("bal");
        WorkflowCliTest.Run r = run(args("balabanov2024", out, "--members", "2", "--epochs", "1"));
        assertThat(r.code()).as(r.err()).isZero();
        String table = Files.readString(out.resolve("tables.md"));
        assertThat(table).contains("needs a GPU", "| ensemble (M=2) |", "| laplace kfac linearised (S=200) |",
                "temperature scaling of ensemble (M=2)", "temperature scaling of adapter (MAP)", "cqa ACC",
                "mmlu-stem ACC", "mmlu-social ECE", "cqa vs mmlu-stem", "cqa vs mmlu-social");
        assertThat(out.resolve("ensemble/report/report.html")).exists();
        assertThat(out.resolve("report/combined.html")).exists();
        assertThat(JSON.readTree(out.resolve("progress.json").toFile()).path("completed")).hasSize(6);
        // the ensemble evaluation used the paper's ECE bins
        assertThat(JSON.readTree(out.resolve("eval-laplace-stem/report.json").toFile()).path("evaluations").path(0)
                .path("ece_bins").asInt()).isEqualTo(10);

        WorkflowCliTest.Run again = run(args("balabanov2024", out, "--members", "2", "--epochs", "1"));
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains("earlier reproduce run", "--resume");
        WorkflowCliTest.Run resumed = run(args("balabanov2024", out, "--members", "2", "--epochs", "1", "--resume"));
        assertThat(resumed.code()).isZero();
        assertThat(resumed.err()).contains("train-ensemble: done in an earlier run, skipped");
        assertThat(resumed.err()).doesNotContain("bayeslora train-ensemble");
    }

    @Test
    void yangRunsItsTasksWithTheirPromptsAndChoiceFilter() throws Exception {
        Path out = tmp.resolve("yang");
        WorkflowCliTest.Run r = run(args("yang2024", out, "--members", "1", "--epochs", "1", "--tasks",
                "arc_easy,boolq,winogrande_s"));
        assertThat(r.code()).as(r.err()).isZero();
        String table = Files.readString(out.resolve("tables.md"));
        assertThat(table).contains("arc_easy ACC", "boolq ACC", "winogrande_s ECE", "| adapter (MAP) |",
                "| mc-dropout (S=10, p=0.1) |", "| laplace kfac linearised (S=200) |",
                "temperature scaling of adapter (MAP)");
        // ARC's 3- and 5-choice rows are dropped (the paper keeps 4-choice rows): 9 dev rows, 7 kept
        assertThat(JSON.readTree(out.resolve("arc_easy/eval-map/report.json").toFile()).path("evaluations").path(0)
                .path("examples").asInt()).isEqualTo(7);
        // BoolQ's classes are the words False/True (several tokens on this tokenizer: continuation likelihoods)
        assertThat(JSON.readTree(out.resolve("boolq/eval-laplace/report.json").toFile()).path("evaluations").path(0)
                .path("classes").toString()).contains("False", "True");
    }

    @Test
    void onalRunsSwagWithMmluAsOod() throws Exception {
        Path out = tmp.resolve("onal");
        WorkflowCliTest.Run r = run(args("onal2024", out, "--epochs", "2", "--tasks", "openbookqa"));
        assertThat(r.code()).as(r.err()).isZero();
        String table = Files.readString(out.resolve("tables.md"));
        assertThat(table).contains("| swag (S=15) |", "openbookqa vs mmlu", "| laplace kfac linearised (S=200) |",
                "20 bins");
        assertThat(JSON.readTree(out.resolve("openbookqa/eval-swag/report.json").toFile()).path("evaluations")
                .path(0).path("ece_bins").asInt()).isEqualTo(20);
    }

    /**
     * ARC's rows with 3, 4 and 5 choices together (--choices all): every row is scored over its own choices, and the
     * fifth label " E" is two tokens on this tokenizer (continuation likelihood).
     */
    @Test
    void arcRowsWithEveryChoiceCountAreScoredOverTheirOwnChoices() throws Exception {
        Path out = tmp.resolve("arc-all.jsonl");
        WorkflowCliTest.Run r = run("predict", "--model", Fixtures.model("tiny-llama").toString(), "--device",
                System.getProperty(TestDevices.PROPERTY, "cpu"), "--data",
                data.resolve("ARC-Easy/ARC-Easy-Dev.jsonl").toString(), "--choices", "all", "--out", out.toString());
        assertThat(r.code()).as(r.err()).isZero();
        List<String> rows = Files.readAllLines(out);
        assertThat(rows).hasSize(9);
        // row 1 has 3 choices: D and E get probability 0; row 2 has 5
        var three = JSON.readTree(rows.get(1)).path("probabilities");
        assertThat(three).hasSize(5);
        assertThat(three.get(3).asDouble()).isZero();
        assertThat(three.get(4).asDouble()).isZero();
        assertThat(three.get(0).asDouble() + three.get(1).asDouble() + three.get(2).asDouble())
                // float32 log-probabilities: each exp carries a few units of 2^-24, five classes
                .isCloseTo(1.0, org.assertj.core.api.Assertions.within(20 * 0x1p-24));
        assertThat(JSON.readTree(rows.get(2)).path("probabilities").get(4).asDouble()).isPositive();
        // the default is the same; --choices same refuses the file
        Path byDefault = tmp.resolve("arc-default.jsonl");
        assertThat(run("predict", "--model", Fixtures.model("tiny-llama").toString(), "--data",
                data.resolve("ARC-Easy/ARC-Easy-Dev.jsonl").toString(), "--out", byDefault.toString()).code()).isZero();
        assertThat(Files.readAllLines(byDefault)).isEqualTo(rows);
        WorkflowCliTest.Run refused = run("predict", "--model", Fixtures.model("tiny-llama").toString(), "--data",
                data.resolve("ARC-Easy/ARC-Easy-Dev.jsonl").toString(), "--choices", "same", "--out",
                tmp.resolve("x.jsonl").toString());
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("--choices all");
    }

    @Test
    void missingFilesAreNamed() {
        WorkflowCliTest.Run r = run(args("onal2024", tmp.resolve("none"), "--tasks", "arc_challenge"));
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("arc_challenge", "see reproduce onal2024 --help");
        assertThat(tmp.resolve("none")).doesNotExist();
        WorkflowCliTest.Run bad = run(args("yang2024", tmp.resolve("none"), "--tasks", "squad"));
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("unknown task 'squad'");
    }
}
