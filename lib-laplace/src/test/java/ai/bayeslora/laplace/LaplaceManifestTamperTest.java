package ai.bayeslora.laplace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.DType;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.safetensors.SafetensorsFile;
import ai.bayeslora.core.safetensors.SafetensorsWriter;
import ai.bayeslora.core.testing.Fixtures;
import ai.bayeslora.core.testing.TestDevices;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A posterior folder whose manifest or tensors were edited is refused with a message naming the file and the field
 * (issue 11, "A Laplace posterior's manifest is trusted without cross-checks"); the untouched folder loads.
 */
class LaplaceManifestTamperTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path tmp;
    private static TinySetup t;
    private static CausalLM fresh;
    private static Path saved;

    @BeforeAll
    static void fit() {
        t = new TinySetup(List.of("v_proj", "lm_head"), 2, 0.2, 5);
        fresh = CausalLM.load(Fixtures.model("tiny-llama"), TestDevices.device().withDType(DType.FLOAT64));
        saved = tmp.resolve("kfac");
        try (LaplacePosterior la = LaplaceLoRA.fit(t.scorer, t.adapter, t.batches(0, 10, 5)).structure(Structure.KFAC)
                .run()) {
            la.save(saved);
        }
    }

    @AfterAll
    static void close() {
        fresh.close();
        t.close();
    }

    private static int copies;

    /** A copy of the saved posterior with its manifest edited. */
    private static Path editedManifest(Consumer<ObjectNode> edit) throws Exception {
        Path dir = copy();
        ObjectNode m = (ObjectNode) JSON.readTree(dir.resolve("manifest.json").toFile());
        edit.accept(m);
        Files.writeString(dir.resolve("manifest.json"), JSON.writeValueAsString(m));
        return dir;
    }

    private static Path copy() throws Exception {
        Path dir = tmp.resolve("copy-" + copies++);
        Files.createDirectories(dir.resolve("adapter"));
        try (var s = Files.walk(saved)) {
            for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                Files.copy(p, dir.resolve(saved.relativize(p).toString()));
            }
        }
        return dir;
    }

    private static void assertRefused(Path dir, String... phrases) {
        assertThatThrownBy(() -> LaplacePosterior.load(dir, fresh).close())
                .isInstanceOf(PosteriorFormatException.class).hasMessageContaining(dir.toString())
                .hasMessageContainingAll(phrases);
    }

    @Test
    void theUntouchedCopyLoads() throws Exception {
        try (LaplacePosterior back = LaplacePosterior.load(copy(), fresh)) {
            assertThat(back.structure()).isEqualTo(Structure.KFAC);
        }
    }

    @Test
    void enumsAndNumbersAreCheckedWithTheFieldNamed() throws Exception {
        assertRefused(editedManifest(m -> m.put("fisher", "bogus")), "\"fisher\"", "bogus", "exact");
        assertRefused(editedManifest(m -> m.put("kfac_positions", 3)), "\"kfac_positions\"", "string");
        assertRefused(editedManifest(m -> m.putArray("prior_precisions")), "\"prior_precisions\"", "non-empty");
        assertRefused(editedManifest(m -> m.putArray("prior_precisions").add(1.0)), "\"prior_precisions\"",
                "1 entries");
        assertRefused(editedManifest(m -> ((ArrayNode) m.get("prior_precisions")).set(0, -1.0)),
                "\"prior_precisions\"[0]", "positive");
        assertRefused(editedManifest(m -> m.put("num_examples", 0)), "\"num_examples\"");
        assertRefused(editedManifest(m -> m.put("low_rank", 2.5)), "\"low_rank\"", "integer");
        assertRefused(editedManifest(m -> m.putArray("class_labels").add("A").add("A")), "\"class_labels\"");
    }

    @Test
    void aReorderedModuleListIsCaughtByTheBlockTableAndByTheta() throws Exception {
        // the module list alone reversed: the block table no longer matches
        assertRefused(editedManifest(m -> reverse(m, "modules")), "\"blocks\"");
        // modules and blocks reversed together, offsets rebuilt: θ* would land on the wrong modules
        Path both = editedManifest(m -> {
            reverse(m, "modules");
            ArrayNode blocks = (ArrayNode) m.get("blocks");
            ArrayNode rebuilt = JSON.createArrayNode();
            long offset = 0;
            for (String mod : List.of("lm_head", "model.layers.1.self_attn.v_proj", "model.layers.0.self_attn.v_proj")) {
                for (var b : blocks) {
                    if (b.get("module").asText().equals(mod)) {
                        ObjectNode c = ((ObjectNode) b).deepCopy();
                        c.put("offset", offset);
                        offset += c.get("rows").asLong() * c.get("cols").asLong();
                        rebuilt.add(c);
                    }
                }
            }
            m.set("blocks", rebuilt);
        });
        assertRefused(both, "does not match adapter/", "module order");
    }

    private static void reverse(ObjectNode m, String field) {
        ArrayNode a = (ArrayNode) m.get(field);
        ArrayNode r = JSON.createArrayNode();
        for (int i = a.size() - 1; i >= 0; i--) {
            r.add(a.get(i));
        }
        m.set(field, r);
    }

    /** A copy whose posterior.safetensors has {@code edit} applied to the tensor named {@code name}. */
    @SuppressWarnings("try")
    private static Path editedTensor(String suffix, Consumer<Tensor> edit) throws Exception {
        Path dir = copy();
        Path file = dir.resolve("posterior.safetensors");
        try (PointerScope s = new PointerScope()) {
            Map<String, Tensor> all = new TreeMap<>();
            String target = null;
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                for (String n : f.names()) {
                    all.put(n, f.tensor(n).clone());
                    if (target == null && n.endsWith(suffix)) {
                        target = n;
                    }
                }
            }
            assertThat(target).as("a tensor ending in " + suffix).isNotNull();
            edit.accept(all.get(target));
            SafetensorsWriter.write(file, all, Map.of("format", "bayeslora-laplace-posterior"));
        }
        return dir;
    }

    @Test
    void nonFiniteOrNegativeCurvatureIsRefused() throws Exception {
        assertRefused(editedTensor(".e", e -> e.fill_(new org.bytedeco.pytorch.Scalar(Double.NaN))), "NaN");
        assertRefused(editedTensor(".e", e -> e.fill_(new org.bytedeco.pytorch.Scalar(-1.0))), "negative eigenvalue");
        assertRefused(editedTensor(".q", q -> q.fill_(new org.bytedeco.pytorch.Scalar(Double.POSITIVE_INFINITY))),
                "infinite");
    }
}
