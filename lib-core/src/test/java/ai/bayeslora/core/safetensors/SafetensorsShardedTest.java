package ai.bayeslora.core.safetensors;

import static ai.bayeslora.core.safetensors.SafetensorsTestSupport.floats;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.safetensors.SafetensorsFormatException.Reason;
import ai.bayeslora.core.testing.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bf16 sharded fixture through its index, against the f32 original; and index error cases. */
class SafetensorsShardedTest {
    private static final Path SHARDED = Fixtures.model("tiny-qwen2-sharded-bf16");
    private static final Path F32 = Fixtures.path("models/tiny-qwen2/model.safetensors");
    private static final String SHARD1 = "model-00001-of-00002.safetensors";
    private static final String SHARD2 = "model-00002-of-00002.safetensors";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void indexResolvesEveryNameAndBf16MatchesF32WithinRounding() throws IOException {
        JsonNode weightMap = JSON.readTree(SHARDED.resolve(Checkpoint.INDEX_FILE).toFile()).get("weight_map");
        try (Checkpoint sharded = Checkpoint.open(SHARDED); SafetensorsFile f32 = SafetensorsFile.open(F32)) {
            assertThat(sharded).isInstanceOf(ShardedCheckpoint.class);
            assertThat(sharded.names()).hasSize(weightMap.size()).containsExactlyElementsOf(f32.names());
            assertThat(sharded.metadata()).containsEntry("total_size", "236672");
            double tol = Math.pow(2, -8);
            for (String name : sharded.names()) {
                assertThat(((ShardedCheckpoint) sharded).shardPath(name).getFileName())
                        .hasToString(weightMap.get(name).asText());
                TensorInfo info = sharded.info(name);
                assertThat(info.dtype()).isEqualTo(SafetensorsDType.BF16);
                assertThat(info.shape()).containsExactly(f32.info(name).shape());
                float[] expected;
                float[] got;
                try (Tensor ref = f32.tensor(name); Tensor bf = sharded.tensor(name, ScalarType.Float, null);
                        Tensor stored = sharded.tensor(name)) {
                    assertThat(bf.scalar_type().intern()).isEqualTo(ScalarType.Float);
                    assertThat(stored.scalar_type().intern()).isEqualTo(ScalarType.BFloat16);
                    expected = floats(ref);
                    got = floats(bf);
                }
                for (int i = 0; i < expected.length; i++) {
                    assertThat((double) got[i]).as("%s[%d]", name, i)
                            .isCloseTo(expected[i], org.assertj.core.data.Offset.offset(tol * Math.abs(expected[i])));
                }
            }
        }
    }

    @Test
    void shardedOpenAlsoAcceptsTheIndexFile() {
        try (ShardedCheckpoint c = ShardedCheckpoint.open(SHARDED.resolve(Checkpoint.INDEX_FILE))) {
            assertThat(c.path()).isEqualTo(SHARDED.toAbsolutePath());
            assertThat(c.names()).contains("model.embed_tokens.weight");
            assertThat(c.shardPath("model.embed_tokens.weight").getFileName()).hasToString(SHARD1);
        }
    }

    @Test
    void missingTensorNamesTheFolderAndSomeAvailableNames() {
        try (Checkpoint c = Checkpoint.open(SHARDED)) {
            assertThatThrownBy(() -> c.tensor("model.nope.weight"))
                    .isInstanceOf(MissingTensorException.class)
                    .hasMessageContaining(SHARDED.toString())
                    .hasMessageContaining("model.nope.weight")
                    .hasMessageContaining("model.embed_tokens.weight");
        }
    }

    @Test
    void folderWithoutCheckpointIsNamed(@TempDir Path dir) {
        assertThatThrownBy(() -> Checkpoint.open(dir))
                .isInstanceOfSatisfying(SafetensorsFormatException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.NO_CHECKPOINT))
                .hasMessageContaining(dir.toString())
                .hasMessageContaining(Checkpoint.INDEX_FILE)
                .hasMessageContaining(Checkpoint.SINGLE_FILE);
    }

    @Test
    void indexNamingAMissingShardIsReported(@TempDir Path dir) throws IOException {
        Files.copy(SHARDED.resolve(SHARD1), dir.resolve(SHARD1));
        Files.copy(SHARDED.resolve(Checkpoint.INDEX_FILE), dir.resolve(Checkpoint.INDEX_FILE));
        assertThatThrownBy(() -> Checkpoint.open(dir))
                .isInstanceOfSatisfying(SafetensorsFormatException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.MISSING_SHARD))
                .hasMessageContaining(dir.toString())
                .hasMessageContaining(SHARD2)
                .hasMessageContaining("model.layers.1.");
    }

    @Test
    void shardLackingAPromisedTensorIsReported(@TempDir Path dir) throws IOException {
        copyShards(dir);
        ObjectNode index = (ObjectNode) JSON.readTree(SHARDED.resolve(Checkpoint.INDEX_FILE).toFile());
        ((ObjectNode) index.get("weight_map")).put("model.extra.weight", SHARD2);
        JSON.writeValue(dir.resolve(Checkpoint.INDEX_FILE).toFile(), index);
        assertThatThrownBy(() -> Checkpoint.open(dir))
                .isInstanceOfSatisfying(SafetensorsFormatException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.SHARD_LACKS_TENSOR))
                .hasMessageContaining(dir.resolve(SHARD2).toString())
                .hasMessageContaining("model.extra.weight");
    }

    @Test
    void shardOutsideTheFolderIsRejected(@TempDir Path dir) throws IOException {
        copyShards(dir);
        ObjectNode index = (ObjectNode) JSON.readTree(SHARDED.resolve(Checkpoint.INDEX_FILE).toFile());
        ((ObjectNode) index.get("weight_map")).put("model.norm.weight", "../" + SHARD2);
        JSON.writeValue(dir.resolve(Checkpoint.INDEX_FILE).toFile(), index);
        assertThatThrownBy(() -> Checkpoint.open(dir))
                .isInstanceOfSatisfying(SafetensorsFormatException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.BAD_INDEX))
                .hasMessageContaining("model.norm.weight");
    }

    @Test
    void malformedIndexIsReported(@TempDir Path dir) throws IOException {
        copyShards(dir);
        for (String bad : List.of("{\"weight_map\": ", "[]", "{\"metadata\": {}}", "{\"weight_map\": {\"a\": 3}}")) {
            Files.writeString(dir.resolve(Checkpoint.INDEX_FILE), bad);
            assertThatThrownBy(() -> Checkpoint.open(dir)).as(bad)
                    .isInstanceOfSatisfying(SafetensorsFormatException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.BAD_INDEX))
                    .hasMessageContaining(dir.resolve(Checkpoint.INDEX_FILE).toString());
        }
    }

    private static void copyShards(Path dir) throws IOException {
        Files.copy(SHARDED.resolve(SHARD1), dir.resolve(SHARD1));
        Files.copy(SHARDED.resolve(SHARD2), dir.resolve(SHARD2));
    }
}
