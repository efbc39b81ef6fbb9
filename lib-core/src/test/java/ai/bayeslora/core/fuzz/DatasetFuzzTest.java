package ai.bayeslora.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.McqaDatasets;
import ai.bayeslora.core.data.McqaExample;
import ai.bayeslora.core.testing.Mutator;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dataset readers (format detection, generic JSONL, CommonsenseQA official and HF JSONL, MMLU HF JSONL and CSV)
 * against mutated files: line-level JSON edits and byte edits (broken JSON and CSV, invalid UTF-8, truncation).
 * Properties: only the library's own exceptions (a {@link BayesLoraException}) escape, naming the file; an accepted
 * dataset is valid by the MCQA rules (every row has the dataset's classes and choices, an answer in range or
 * unknown, non-empty text), checked here independently; and writing it back as generic JSONL and reading that gives
 * the same questions, choices and answers.
 */
class DatasetFuzzTest {
    static final int TRIES = Mutator.tries(2500);
    static final long SEED = Mutator.seed(11L);
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path tmp;

    private record Seed(String fileName, String text, boolean jsonl) {
    }

    private static List<Seed> seeds() throws IOException {
        List<Seed> s = new ArrayList<>();
        List<String> synthetic = Files.readAllLines(BundledData.syntheticMcqa()).subList(0, 6);
        s.add(new Seed("data.jsonl", String.join("\n", synthetic) + "\n", true));
        StringBuilder cqa = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            cqa.append("{\"id\": \"q").append(i).append("\", \"question\": {\"question_concept\": \"x\", \"choices\": ["
                    + "{\"label\": \"A\", \"text\": \"bank\"}, {\"label\": \"B\", \"text\": \"library\"}, "
                    + "{\"label\": \"C\", \"text\": \"store\"}, {\"label\": \"D\", \"text\": \"mall\"}, "
                    + "{\"label\": \"E\", \"text\": \"york\"}], \"stem\": \"Where is it?\"}, \"answerKey\": \"B\"}\n");
        }
        s.add(new Seed("train_rand_split.jsonl", cqa.toString(), true));
        s.add(new Seed("cqa-hf.jsonl", "{\"id\": \"h1\", \"question\": \"Where?\", \"question_concept\": \"x\", "
                + "\"choices\": {\"label\": [\"A\", \"B\", \"C\", \"D\", \"E\"], \"text\": [\"a\", \"b\", \"c\", \"d\", "
                + "\"e\"]}, \"answerKey\": \"C\"}\n", true));
        s.add(new Seed("mmlu.jsonl", "{\"question\": \"2+2?\", \"subject\": \"elementary_mathematics\", "
                + "\"choices\": [\"3\", \"4\", \"5\", \"6\"], \"answer\": 1}\n{\"question\": \"Sun?\", \"subject\": "
                + "\"astronomy\", \"choices\": [\"star\", \"planet\", \"moon\", \"comet\"], \"answer\": 0}\n", true));
        s.add(new Seed("astronomy_test.csv", "\"What is a star, really?\",gas,rock,ice,\"metal, mostly\",A\n"
                + "Plain question,1,2,3,4,D\n", false));
        return s;
    }

    @Test
    void mutatedDatasetsAreRefusedCleanlyOrValidAndRoundTrip() throws Exception {
        List<Seed> seeds = seeds();
        Mutator m = new Mutator(SEED);
        int accepted = 0;
        for (int i = 0; i < TRIES; i++) {
            Seed seed = seeds.get(i % seeds.size());
            byte[] bytes = i < seeds.size() ? seed.text().getBytes(StandardCharsets.UTF_8) : mutate(m, seed);
            Path dir = Files.createDirectories(tmp.resolve("t" + i));
            try {
                accepted += check(dir.resolve(seed.fileName()), bytes) ? 1 : 0;
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("mutant " + i + " (seed " + SEED + ") of " + seed.fileName() + ": "
                        + new String(bytes, StandardCharsets.UTF_8) + "\n" + e, e);
            }
            ai.bayeslora.core.io.AtomicOutput.deleteQuietly(dir);
        }
        System.out.println("dataset mutants accepted: " + accepted + " of " + TRIES);
        assertThat(accepted).isBetween(seeds.size(), TRIES - 1);
    }

    /** Half the time a JSON edit of one line (JSONL seeds), else byte edits of the whole file. */
    private static byte[] mutate(Mutator m, Seed seed) {
        if (seed.jsonl() && m.random().nextBoolean()) {
            String[] lines = seed.text().split("\n");
            int k = m.random().nextInt(lines.length);
            lines[k] = Mutator.text(m.mutateJson(Mutator.parse(lines[k])));
            return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        }
        return m.mutateBytes(seed.text().getBytes(StandardCharsets.UTF_8));
    }

    /** Coverage-guided fuzzing of the generic JSONL reader with the same property. */
    @FuzzTest(maxDuration = "5m")
    void fuzz(@com.code_intelligence.jazzer.mutation.annotation.NotNull byte[] input) throws IOException {
        Path dir = Files.createTempDirectory("ds-fuzz");
        try {
            check(dir.resolve("data.jsonl"), input);
        } finally {
            ai.bayeslora.core.io.AtomicOutput.deleteQuietly(dir);
        }
    }

    static boolean check(Path file, byte[] bytes) throws IOException {
        Files.write(file, bytes);
        McqaDataset d;
        try {
            d = McqaDatasets.load(file);
        } catch (BayesLoraException e) {
            assertThat(e.getMessage()).as("the message names the file").contains(file.getFileName().toString());
            return false;
        }
        List<String> classes = d.classLabels();
        assertThat(d.size()).isPositive();
        assertThat(classes).isNotEmpty().doesNotHaveDuplicates();
        for (McqaExample e : d.examples()) {
            // a row with fewer choices keeps its own labels, which start the classes (scored over its own choices)
            assertThat(e.labels()).as(e.id()).isNotEmpty();
            assertThat(classes.subList(0, Math.min(classes.size(), e.labels().size()))).as(e.id())
                    .isEqualTo(e.labels());
            assertThat(e.answer()).as(e.id()).isBetween(-1, e.labels().size() - 1);
            assertThat(e.question()).as(e.id()).isNotNull();
            if (!e.verbatim()) {
                assertThat(e.choices()).as(e.id()).hasSize(e.labels().size());
            }
        }
        // round trip through the generic format
        Path again = file.resolveSibling("again.jsonl");
        List<String> lines = new ArrayList<>();
        for (McqaExample e : d.examples()) {
            ObjectNode o = JSON.createObjectNode();
            o.put("id", e.id());
            o.put(e.verbatim() ? "prompt" : "question", e.question());
            var c = o.putArray("choices");
            e.choices().forEach(c::add);
            var l = o.putArray("labels");
            e.labels().forEach(l::add);
            if (e.answer() >= 0) {
                o.put("answer", e.answer());
            }
            lines.add(JSON.writeValueAsString(o));
        }
        Files.write(again, lines);
        McqaDataset back = McqaDatasets.load(again);
        assertThat(back.classLabels()).isEqualTo(classes);
        assertThat(back.size()).isEqualTo(d.size());
        for (int i = 0; i < d.size(); i++) {
            McqaExample a = d.get(i);
            McqaExample b = back.get(i);
            assertThat(b.question()).isEqualTo(a.question());
            assertThat(b.choices()).isEqualTo(a.choices());
            assertThat(b.answer()).isEqualTo(a.answer());
            assertThat(b.labels()).isEqualTo(a.labels());
            assertThat(b.id()).isEqualTo(a.id());
        }
        return true;
    }

}
