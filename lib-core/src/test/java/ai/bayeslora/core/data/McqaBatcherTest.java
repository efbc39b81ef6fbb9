package ai.bayeslora.core.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.testing.Fixtures;
import ai.bayeslora.core.text.HfTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class McqaBatcherTest {
    private static final List<String> ABCD = List.of("A", "B", "C", "D");
    private static HfTokenizer tok;

    @BeforeAll
    static void load() {
        tok = HfTokenizer.load(Fixtures.tokenizerJson());
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    private static McqaExample verbatim(String id, String prompt) {
        return McqaExample.verbatim(id, prompt, ABCD, 0);
    }

    /** Reads the int64 tensors {@code name} [rows, cols] of a safetensors file. */
    private static long[][] int64(Path file, String name) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = (int) bytes.getLong(0);
        JsonNode header = new ObjectMapper().readTree(new String(bytes.array(), 8, headerLength,
                java.nio.charset.StandardCharsets.UTF_8));
        JsonNode entry = header.get(name);
        assertThat(entry.get("dtype").asText()).isEqualTo("I64");
        int rows = entry.get("shape").get(0).intValue();
        int cols = entry.get("shape").get(1).intValue();
        long start = 8L + headerLength + entry.get("data_offsets").get(0).longValue();
        long[][] out = new long[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[r][c] = bytes.getLong((int) (start + 8L * (r * cols + c)));
            }
        }
        return out;
    }

    @Test
    void reproducesTheFixtureBatchExactly() throws IOException {
        Path ref = Fixtures.model("tiny-llama").resolve("reference_logits.safetensors");
        long[][] ids = int64(ref, "input_ids");
        long[][] mask = int64(ref, "attention_mask");
        long[][] positions = int64(ref, "position_ids");
        List<McqaExample> examples = new ArrayList<>();
        for (int r = 0; r < ids.length; r++) {
            List<Integer> real = new ArrayList<>();
            for (int c = 0; c < ids[r].length; c++) {
                if (mask[r][c] == 1) {
                    real.add((int) ids[r][c]);
                }
            }
            examples.add(verbatim("row" + r, tok.decode(real.stream().mapToInt(Integer::intValue).toArray())));
        }
        McqaBatcher batcher = new McqaBatcher(tok, PromptTemplate.defaults(),
                new McqaBatcher.Config(512, 0, false, -1));
        EncodedBatch batch = batcher.encode(examples);
        assertThat(batch.batchSize()).isEqualTo(3);
        assertThat(batch.length()).isEqualTo(ids[0].length);
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < batch.length(); c++) {
                int i = r * batch.length() + c;
                assertThat(batch.inputIds()[i]).as("input_ids[%d][%d]", r, c).isEqualTo(ids[r][c]);
                assertThat(batch.attentionMask()[i]).as("attention_mask[%d][%d]", r, c).isEqualTo(mask[r][c]);
                assertThat(batch.positionIds()[i]).as("position_ids[%d][%d]", r, c).isEqualTo(positions[r][c]);
            }
        }
    }

    @Test
    void leftPadsWithMaskAndCumsumPositions() {
        McqaBatcher batcher = McqaBatcher.forTokenizer(tok);
        McqaExample longer = McqaExample.of("q", "Question: what the cat likes?", List.of("cat", "river"),
                List.of("A", "B"), 1, null);
        McqaExample shorter = verbatim("v", "Answer:");
        EncodedBatch batch = batcher.encode(List.of(longer, shorter));
        int[] longTokens = tok.encode("Question: what the cat likes?\nA. cat\nB. river\nAnswer:");
        int length = longTokens.length;
        assertThat(batch.length()).isEqualTo(length);
        assertThat(batch.realTokens(0)).containsExactly(java.util.Arrays.stream(longTokens).asLongStream().toArray());
        assertThat(batch.realTokens(1)).containsExactly(280, 28);
        assertThat(batch.realLength(1)).isEqualTo(2);
        long[] row1Ids = java.util.Arrays.copyOfRange(batch.inputIds(), length, 2 * length);
        long[] row1Mask = java.util.Arrays.copyOfRange(batch.attentionMask(), length, 2 * length);
        long[] row1Pos = java.util.Arrays.copyOfRange(batch.positionIds(), length, 2 * length);
        long[] expectedIds = new long[length];
        long[] expectedMask = new long[length];
        long[] expectedPos = new long[length];
        expectedIds[length - 2] = 280;
        expectedIds[length - 1] = 28;
        expectedMask[length - 2] = 1;
        expectedMask[length - 1] = 1;
        expectedPos[length - 1] = 1;
        assertThat(row1Ids).containsExactly(expectedIds);
        assertThat(row1Mask).containsExactly(expectedMask);
        assertThat(row1Pos).containsExactly(expectedPos);
        for (int c = 0; c < length; c++) {
            assertThat(batch.positionIds()[c]).isEqualTo(c);
            assertThat(batch.attentionMask()[c]).isEqualTo(1);
        }
        assertThat(batch.labels()).containsExactly(1, 0);
        assertThat(batch.exampleIds()).containsExactly("q", "v");
        assertThat(batch.truncatedRows()).isZero();
    }

    @Test
    void rendersThenEncodesTheFixturePromptExactly() {
        McqaExample e = McqaExample.of("0", "Question: what the planet needs?",
                List.of("market", "cat", "violin", "violin"), ABCD, 0, null);
        int[] tokens = McqaBatcher.forTokenizer(tok).tokens(e);
        // reference sample 0 is this prompt followed by " A" (317)
        assertThat(tokens).containsExactly(281, 28, 276, 275, 296, 324, 33, 201, 35, 16, 289, 201, 36, 16, 291,
                201, 37, 16, 286, 201, 38, 16, 286, 201, 280, 28);
    }

    @Test
    void truncatesFromTheLeftKeepingTheAnswerCue() {
        McqaExample e = McqaExample.of("0", "Question: what the planet needs?",
                List.of("market", "cat", "violin", "violin"), ABCD, 0, null);
        McqaBatcher.Config config = new McqaBatcher.Config(5, 0, false, -1);
        EncodedBatch batch = new McqaBatcher(tok, PromptTemplate.defaults(), config)
                .encode(List.of(e, verbatim("short", "Answer:")));
        assertThat(batch.length()).isEqualTo(5);
        assertThat(batch.realTokens(0)).containsExactly(16, 286, 201, 280, 28); // ". violin\nAnswer:"
        assertThat(tok.decode(new int[] {16, 286, 201, 280, 28})).isEqualTo(". violin\nAnswer:");
        assertThat(batch.truncatedRows()).isEqualTo(1);

        McqaBatcher withBos = new McqaBatcher(tok, PromptTemplate.defaults(), new McqaBatcher.Config(5, 0, true, 1));
        EncodedBatch bos = withBos.encode(List.of(e, verbatim("short", "Answer:")));
        assertThat(bos.realTokens(0)).containsExactly(1, 286, 201, 280, 28);
        assertThat(bos.realTokens(1)).containsExactly(1, 280, 28);
        assertThat(withBos.tokens(verbatim("b", "<s>Answer:"))).containsExactly(1, 280, 28); // BOS not doubled
    }

    @Test
    void batchesCoverTheDatasetInOrder() {
        List<McqaExample> list = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            list.add(verbatim("e" + i, "Answer:"));
        }
        McqaDataset ds = McqaDataset.of("mem", ABCD, list);
        Iterable<EncodedBatch> batches = McqaBatcher.forTokenizer(tok).batches(ds, 2);
        List<Integer> sizes = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (EncodedBatch b : batches) {
            sizes.add(b.batchSize());
            ids.addAll(b.exampleIds());
        }
        assertThat(sizes).containsExactly(2, 2, 1);
        assertThat(ids).containsExactly("e0", "e1", "e2", "e3", "e4");
        assertThat(batches.iterator().next().exampleIds()).containsExactly("e0", "e1");
        assertThatThrownBy(() -> McqaBatcher.forTokenizer(tok).batches(ds, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tensorsAreInt64CopiesOwnedByTheCaller() {
        EncodedBatch batch = McqaBatcher.forTokenizer(tok).encode(List.of(
                verbatim("a", "Question: what the cat likes?\nAnswer:"), verbatim("b", "Answer:")));
        Tensor outside = batch.positionIdsTensor();
        try {
            assertThat(outside.scalar_type().intern()).isEqualTo(ScalarType.Long);
            assertThat(outside.dim()).isEqualTo(2);
            assertThat(outside.size(0)).isEqualTo(2);
            assertThat(outside.size(1)).isEqualTo(batch.length());
            long[] values = new long[(int) outside.numel()];
            outside.data_ptr_long().get(values);
            assertThat(values).containsExactly(batch.positionIds());
        } finally {
            outside.close();
        }
        assertThat(outside.isNull()).isTrue();

        Tensor scoped;
        try (PointerScope scope = new PointerScope()) {
            assertThat(PointerScope.getInnerScope()).isSameAs(scope);
            scoped = batch.inputIdsTensor();
            Tensor mask = batch.attentionMaskTensor();
            Tensor labels = batch.labelsTensor();
            long[] ids = new long[(int) scoped.numel()];
            scoped.data_ptr_long().get(ids);
            assertThat(ids).containsExactly(batch.inputIds());
            long[] m = new long[(int) mask.numel()];
            mask.data_ptr_long().get(m);
            assertThat(m).containsExactly(batch.attentionMask());
            assertThat(labels.size(0)).isEqualTo(2);
            assertThat(new LongPointer(labels.data_ptr_long()).get(0)).isEqualTo(0);
        }
        assertThat(scoped.isNull()).as("freed with the caller's scope").isTrue();
    }
}
