package ai.bayeslora.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.model.ConfigException;
import ai.bayeslora.core.model.HfConfigParser;
import ai.bayeslora.core.model.ModelConfig;
import ai.bayeslora.core.model.UnsupportedArchitectureException;
import ai.bayeslora.core.testing.Fixtures;
import ai.bayeslora.core.testing.Mutator;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * config.json parsing against mutated configs of the three fixture families (JSON-tree edits: boundary numbers,
 * wrong types, removed and added fields; and byte edits that break the JSON). Properties: only
 * {@link ConfigException} or {@link UnsupportedArchitectureException} escapes; an accepted config has every size in
 * its valid range, rms_norm_eps in (0, 1), a positive finite rope_theta and kv heads dividing the heads, checked here
 * independently of the parser; and parsing is deterministic.
 */
class ConfigFuzzTest {
    static final int TRIES = Mutator.tries(4000);
    static final long SEED = Mutator.seed(7L);

    private static List<JsonNode> seeds() throws Exception {
        List<JsonNode> seeds = new ArrayList<>();
        for (String m : List.of("tiny-llama", "tiny-mistral", "tiny-qwen2")) {
            seeds.add(Mutator.parse(Files.readString(Fixtures.model(m).resolve("config.json"))));
        }
        return seeds;
    }

    @Test
    void mutatedConfigsAreRefusedByNameOrValid() throws Exception {
        List<JsonNode> seeds = seeds();
        Mutator m = new Mutator(SEED);
        int accepted = 0;
        for (int i = 0; i < TRIES; i++) {
            JsonNode seed = seeds.get(i % seeds.size());
            String text = i % 5 == 4 ? new String(m.mutateBytes(Mutator.text(seed).getBytes(StandardCharsets.UTF_8)),
                    StandardCharsets.UTF_8) : Mutator.text(i < seeds.size() ? seed : m.mutateJson(seed));
            try {
                accepted += check(text) ? 1 : 0;
            } catch (AssertionError e) {
                throw new AssertionError("mutant " + i + " (seed " + SEED + "): " + text + ": " + e.getMessage(), e);
            }
        }
        System.out.println("config mutants accepted: " + accepted + " of " + TRIES);
        assertThat(accepted).isBetween(seeds.size(), TRIES - 1);
    }

    /** Coverage-guided fuzzing of the same property. */
    @FuzzTest(maxDuration = "5m")
    void fuzz(@com.code_intelligence.jazzer.mutation.annotation.NotNull String json) {
        check(json);
    }

    static boolean check(String json) {
        ModelConfig c;
        try {
            c = HfConfigParser.parse(json, "cfg.json");
        } catch (ConfigException | UnsupportedArchitectureException e) {
            assertThat(e.getMessage()).contains("cfg.json");
            return false;
        }
        assertThat(c.vocabSize()).isBetween(1, 1 << 24);
        assertThat(c.hiddenSize()).isBetween(1, 1 << 17);
        assertThat(c.intermediateSize()).isBetween(1, 1 << 19);
        assertThat(c.numLayers()).isBetween(1, 1024);
        assertThat(c.numKvHeads()).isBetween(1, c.numHeads());
        assertThat(c.numHeads() % c.numKvHeads()).isZero();
        assertThat(c.headDim()).isBetween(2, 4096);
        assertThat(c.rmsNormEps()).isGreaterThan(0).isLessThan(1);
        assertThat(c.rope().theta()).isPositive().isFinite();
        assertThat(c.rope().factor()).isPositive().isFinite();
        assertThat(c.maxPositionEmbeddings()).isBetween(1, 1 << 24);
        assertThat(c.parameterCount()).isPositive();
        assertThat(HfConfigParser.parse(json, "cfg.json")).as("deterministic").isEqualTo(c);
        return true;
    }
}
