package ai.bayeslora.core.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.bayeslora.core.testing.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Inverse RoPE frequencies against the numpy oracle (fixtures/variants/rope_inv_freq.json). */
class RopeScalingTest {

    static Stream<Arguments> cases() throws IOException {
        JsonNode root = new ObjectMapper().readTree(Fixtures.path("variants/rope_inv_freq.json").toFile());
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : root.get("cases")) {
            out.add(Arguments.of(c.get("label").asText(), c));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void inverseFrequenciesMatchOracle(String label, JsonNode c) {
        RopeConfig.Type type = switch (c.get("rope_type").asText()) {
            case "default" -> RopeConfig.Type.DEFAULT;
            case "linear" -> RopeConfig.Type.LINEAR;
            case "llama3" -> RopeConfig.Type.LLAMA3;
            default -> throw new IllegalArgumentException(c.get("rope_type").asText());
        };
        RopeConfig rope = new RopeConfig(c.get("theta").asDouble(), type, c.get("factor").asDouble(),
                c.get("low_freq_factor").asDouble(), c.get("high_freq_factor").asDouble(),
                c.get("original_max_position_embeddings").asInt(), 1.0);
        int dim = c.get("dim").asInt();
        float[] got = new RotaryEmbedding(rope, dim).inverseFrequencies();
        JsonNode want = c.get("inv_freq");
        assertThat(got).hasSize(want.size());
        double worst = 0;
        for (int i = 0; i < got.length; i++) {
            double w = want.get(i).asDouble();
            double rel = Math.abs(got[i] - w) / Math.abs(w);
            assertThat(rel).as("%s: inv_freq[%d] = %s, oracle %s", label, i, got[i], w).isLessThan(1e-6);
            worst = Math.max(worst, rel);
        }
        System.out.printf("%s: max relative error %.3e%n", label, worst);
    }
}
