package ai.bayeslora.lora;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.testing.Fixtures;
import ai.bayeslora.core.testing.Mutator;
import ai.bayeslora.core.testing.TestDevices;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * peft's adapter_config.json against mutated copies of the fixture's (JSON-tree and byte edits), read alone and
 * loaded with the fixture's weights onto the tiny model. Properties: only {@link AdapterFormatException} escapes,
 * naming the file; an accepted config has r ≥ 1, a positive finite lora_alpha, lora_dropout in [0, 1), non-empty
 * targets and positive rank and alpha patterns, checked here independently; an accepted adapter has finite scales.
 */
class PeftConfigFuzzTest {
    static final int TRIES = Mutator.tries(1500);
    static final long SEED = Mutator.seed(3L);
    private static final Path FIXTURE = Fixtures.path("lora/tiny-llama-lora-r4");
    @TempDir
    static Path tmp;
    private static CausalLM model;

    @BeforeAll
    static void load() {
        model = CausalLM.load(Fixtures.model("tiny-llama"), TestDevices.device());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void mutatedConfigsAreRefusedByNameOrHonoured() throws Exception {
        String seed = Files.readString(FIXTURE.resolve("adapter_config.json"));
        JsonNode tree = Mutator.parse(seed);
        Mutator m = new Mutator(SEED);
        int accepted = 0;
        for (int i = 0; i < TRIES; i++) {
            String text = i == 0 ? seed : i % 5 == 4
                    ? new String(m.mutateBytes(seed.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8)
                    : Mutator.text(m.mutateJson(tree));
            try {
                accepted += check(text) ? 1 : 0;
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("mutant " + i + " (seed " + SEED + "): " + text + "\n" + e, e);
            }
        }
        System.out.println("peft config mutants accepted: " + accepted + " of " + TRIES);
        assertThat(accepted).isBetween(1, TRIES - 1);
    }

    /** Coverage-guided fuzzing of the same property. */
    @FuzzTest(maxDuration = "5m")
    void fuzz(@com.code_intelligence.jazzer.mutation.annotation.NotNull String json) throws Exception {
        check(json);
    }

    private static int dirs;

    static boolean check(String json) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("a" + dirs++));
        Files.copy(FIXTURE.resolve("adapter_model.safetensors"), dir.resolve("adapter_model.safetensors"));
        Files.writeString(dir.resolve("adapter_config.json"), json);
        try {
            PeftAdapterConfig c;
            try {
                c = PeftAdapterConfig.read(dir);
            } catch (AdapterFormatException e) {
                assertThat(e.getMessage()).contains(dir.toString());
                return false;
            }
            LoraConfig lc = c.config;
            assertThat(lc.rank()).isPositive();
            assertThat(lc.alpha()).isPositive().isFinite();
            assertThat(lc.dropout()).isGreaterThanOrEqualTo(0).isLessThan(1);
            assertThat(lc.targetModules()).isNotEmpty();
            c.rankPattern.values().forEach(r -> assertThat(r).isPositive());
            c.alphaPattern.values().forEach(a -> assertThat(a).isPositive().isFinite());
            try (LoraAdapter a = LoraAdapter.load(dir, model)) {
                a.layers().values().forEach(l -> assertThat(l.scaling()).isPositive().isFinite());
            } catch (AdapterFormatException e) {
                assertThat(e.getMessage()).contains(dir.toString());
                return false;
            }
            return true;
        } finally {
            ai.bayeslora.core.io.AtomicOutput.deleteQuietly(dir);
        }
    }
}
