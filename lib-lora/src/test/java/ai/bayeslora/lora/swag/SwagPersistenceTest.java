package ai.bayeslora.lora.swag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.Tensors;
import ai.bayeslora.lora.swag.internal.MomentAccumulator;
import ai.bayeslora.lora.internal.ParameterLayout;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Save → load of a SWAG posterior is bitwise; malformed folders fail with the file and field named. */
class SwagPersistenceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ParameterLayout LAYOUT = new ParameterLayout(List.of("w.lora_A.weight", "w.lora_B.weight"),
            List.of(List.of(1L, 2L), List.of(3L, 1L)));
    private static final SwagConfig CONFIG = SwagConfig.builder().startEpoch(2).everySteps(4).maxRank(3).scale(0.7)
            .variant(SwagVariant.SWAG_LORA_CODE).samples(9).offloadToCpu(true).build();

    @TempDir
    Path tmp;

    @SuppressWarnings("try")
    private static SwagPosterior posterior(int n) {
        try (MomentAccumulator acc = new MomentAccumulator(CONFIG.maxRank(), false); PointerScope s = new PointerScope()) {
            java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
            for (int i = 0; i < n; i++) {
                acc.add(Tensors.ofDoubles(rng.doubles(5).map(x -> x * Math.PI - 1).toArray(), 5));
            }
            return new SwagPosterior(CONFIG, LAYOUT, acc.count(), acc.mean(), acc.squaredMean(), acc.deviations());
        }
    }

    @SuppressWarnings("try")
    private static long[] bits(Tensor t) {
        try (PointerScope s = new PointerScope()) {
            return Arrays.stream(Tensors.toDoubles(t)).mapToLong(Double::doubleToRawLongBits).toArray();
        }
    }

    @Test
    @SuppressWarnings("try")
    void saveThenLoadRoundTripsBitwise() throws IOException {
        Path dir = tmp.resolve("swag");
        try (SwagPosterior post = posterior(7)) {
            post.save(dir);
            try (Stream<Path> files = Files.list(tmp); Stream<Path> inside = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString())).containsExactly("swag");
                assertThat(inside.map(p -> p.getFileName().toString()))
                        .containsExactlyInAnyOrder("swag.json", "swag.safetensors",
                                ai.bayeslora.core.io.AtomicOutput.MARKER);
            }
            try (SwagPosterior back = SwagPosterior.load(dir); PointerScope s = new PointerScope()) {
                assertThat(back.config()).isEqualTo(CONFIG);
                assertThat(back.collected()).isEqualTo(7);
                assertThat(back.rank()).isEqualTo(3);
                assertThat(back.layout()).isEqualTo(LAYOUT);
                assertThat(bits(back.mean())).containsExactly(bits(post.mean()));
                assertThat(bits(back.squaredMean())).containsExactly(bits(post.squaredMean()));
                assertThat(bits(back.deviations())).containsExactly(bits(post.deviations()));
                assertThat(Tensors.shape(back.deviations())).containsExactly(5, 3);
                assertThat(bits(back.sample(17))).containsExactly(bits(post.sample(17)));
            }
        }
        // saving over an existing folder replaces it
        try (SwagPosterior two = posterior(2)) {
            two.save(dir);
        }
        try (SwagPosterior back = SwagPosterior.load(dir)) {
            assertThat(back.collected()).isEqualTo(2);
            assertThat(back.rank()).isEqualTo(2);
        }
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("swag");
        }
    }

    private Path saved(String name) {
        Path dir = tmp.resolve(name);
        try (SwagPosterior post = posterior(7)) {
            post.save(dir);
        }
        return dir;
    }

    private void editManifest(Path dir, Consumer<ObjectNode> edit) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(Files.readString(dir.resolve("swag.json")));
        edit.accept(root);
        Files.writeString(dir.resolve("swag.json"), JSON.writeValueAsString(root));
    }

    private void assertRejected(String name, Consumer<ObjectNode> edit, String... expected) throws IOException {
        Path dir = saved(name);
        editManifest(dir, edit);
        assertThatThrownBy(() -> SwagPosterior.load(dir)).as(name).isInstanceOf(SwagFormatException.class)
                .hasMessageContaining(dir.resolve("swag.json").toString()).hasMessageContainingAll(expected);
    }

    @Test
    void malformedManifestsNameTheFileAndField() throws IOException {
        assertRejected("format", r -> r.put("format", "other"), "'format'", "bayeslora-swag");
        assertRejected("version", r -> r.put("version", 2), "'version' is 2", "version 1");
        assertRejected("collected", r -> r.remove("collected"), "'collected'");
        assertRejected("collected0", r -> r.put("collected", 0), "'collected'");
        assertRejected("rank", r -> r.put("rank", 2), "'rank' is 2", "min(collected 7");
        assertRejected("maxrank", r -> ((ObjectNode) r.get("config")).put("max_rank", 1), "config.max_rank");
        assertRejected("variant", r -> ((ObjectNode) r.get("config")).put("variant", "FOO"), "config.variant", "PAPER");
        assertRejected("scale", r -> ((ObjectNode) r.get("config")).put("scale", -1.0), "config", "scale");
        assertRejected("scaletext", r -> ((ObjectNode) r.get("config")).put("scale", "big"), "config.scale");
        assertRejected("noconfig", r -> r.remove("config"), "'config'");
        assertRejected("count", r -> r.put("parameter_count", 6), "'parameter_count' is 6", "add up to 5");
        assertRejected("shape", r -> ((ObjectNode) r.get("parameters").get(1)).putArray("shape").add(3).add(-1),
                "parameters[1].shape");
        assertRejected("name", r -> ((ObjectNode) r.get("parameters").get(0)).remove("name"), "parameters[0].name");
    }

    @Test
    void missingFilesAndTensorsDisagreeingWithTheManifestAreReported() throws IOException {
        Path noManifest = saved("nomanifest");
        Files.delete(noManifest.resolve("swag.json"));
        assertThatThrownBy(() -> SwagPosterior.load(noManifest)).isInstanceOf(SwagFormatException.class)
                .hasMessageContaining("swag.json").hasMessageContaining("not found");

        Path badJson = saved("badjson");
        Files.writeString(badJson.resolve("swag.json"), "{\"format\": ");
        assertThatThrownBy(() -> SwagPosterior.load(badJson)).isInstanceOf(SwagFormatException.class)
                .hasMessageContaining("not valid JSON");

        Path noTensors = saved("notensors");
        Files.delete(noTensors.resolve("swag.safetensors"));
        assertThatThrownBy(() -> SwagPosterior.load(noTensors)).isInstanceOf(SwagFormatException.class)
                .hasMessageContaining("swag.safetensors").hasMessageContaining("not found");

        // a consistent manifest whose shapes the tensors do not have
        Path grown = saved("grown");
        editManifest(grown, r -> {
            r.put("parameter_count", 6);
            ((ObjectNode) r.get("parameters").get(1)).putArray("shape").add(4).add(1);
        });
        assertThatThrownBy(() -> SwagPosterior.load(grown)).isInstanceOf(SwagFormatException.class)
                .hasMessageContaining("swag.safetensors").hasMessageContaining("tensor 'mean' is F64 [5]")
                .hasMessageContaining("implies F64 [6]");
    }
}
