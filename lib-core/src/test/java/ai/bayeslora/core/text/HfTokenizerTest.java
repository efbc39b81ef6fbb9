package ai.bayeslora.core.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.core.testing.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfTokenizerTest {
    private static HfTokenizer tok;

    @BeforeAll
    static void load() {
        tok = HfTokenizer.load(Fixtures.tokenizerJson());
    }

    @AfterAll
    static void close() {
        tok.close();
    }

    @Test
    void matchesAllReferenceSamplesExactly() throws IOException {
        JsonNode ref = new ObjectMapper().readTree(Fixtures.path("tokenizer/reference.json").toFile());
        JsonNode samples = ref.get("samples");
        assertThat(samples).hasSize(8);
        int nonAscii = 0;
        for (JsonNode s : samples) {
            String text = s.get("text").asText();
            int[] expected = new int[s.get("ids").size()];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = s.get("ids").get(i).intValue();
            }
            assertThat(tok.encode(text)).as("ids of %s", text).containsExactly(expected);
            assertThat(tok.decode(expected)).isEqualTo(text);
            if (!StandardCharsets.US_ASCII.newEncoder().canEncode(text)) {
                nonAscii++;
            }
        }
        assertThat(nonAscii).isEqualTo(1);
        assertThat(tok.encode("héllo wörld ☃")).hasSize(17);
        assertThat(tok.vocabSize()).isEqualTo(ref.get("vocab_size").intValue()).isEqualTo(340);
    }

    @Test
    void letterIdsAre317To320() {
        assertThat(tok.encode(" A")).containsExactly(317);
        assertThat(tok.encode(" B")).containsExactly(318);
        assertThat(tok.encode(" C")).containsExactly(319);
        assertThat(tok.encode(" D")).containsExactly(320);
        assertThat(tok.tokenId("ĠA")).hasValue(317);
        assertThat(tok.tokenId("no such token")).isEmpty();
    }

    @Test
    void specialIdsWithoutTokenizerConfig() {
        assertThat(tok.padId()).hasValue(0);
        assertThat(tok.bosId()).hasValue(1);
        assertThat(tok.eosId()).hasValue(2);
        assertThat(tok.addsBos()).isFalse();
        assertThat(tok.encode("Answer: A")).doesNotContain(1);
    }

    @Test
    void neverTruncates() {
        String text = "Answer: A ".repeat(300);
        assertThat(tok.encode(text).length).isGreaterThan(512);
    }

    @Test
    void modelFolderWithTokenizerConfig(@TempDir Path dir) throws IOException {
        Files.copy(Fixtures.tokenizerJson(), dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"add_bos_token\": true, \"bos_token\": {\"content\": \"<s>\"}, \"pad_token\": \"</s>\"}");
        try (HfTokenizer t = HfTokenizer.load(dir)) {
            assertThat(t.addsBos()).isTrue();
            assertThat(t.bosId()).hasValue(1);
            assertThat(t.padId()).hasValue(2);
            assertThat(t.encode(" A")).containsExactly(317);
        }
        try (HfTokenizer t = HfTokenizer.load(dir, TokenizerOptions.builder().addBos(false).build())) {
            assertThat(t.addsBos()).isFalse();
        }
    }

    @Test
    void explicitNullBosWithAddBosIsAnError(@TempDir Path dir) throws IOException {
        Files.copy(Fixtures.tokenizerJson(), dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"add_bos_token\": true, \"bos_token\": null}");
        assertThatThrownBy(() -> HfTokenizer.load(dir))
                .isInstanceOf(TokenizerFormatException.class)
                .hasMessageContaining("no BOS token");
    }

    @Test
    void loadsAModelFolder() {
        try (HfTokenizer t = HfTokenizer.load(Fixtures.model("tiny-llama"))) {
            assertThat(t.encode(" A")).containsExactly(317);
            assertThat(t.file().getFileName().toString()).isEqualTo("tokenizer.json");
        }
    }

    @Test
    void useAfterCloseIsAnError() {
        HfTokenizer t = HfTokenizer.load(Fixtures.tokenizerJson());
        t.close();
        t.close();
        assertThatThrownBy(() -> t.encode("A")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void missingTokenizerNamesThePath(@TempDir Path dir) {
        assertThatThrownBy(() -> HfTokenizer.load(dir))
                .isInstanceOf(TokenizerNotFoundException.class)
                .isInstanceOf(BayesLoraException.class)
                .hasMessageContaining(dir.resolve("tokenizer.json").toString());
        Path file = dir.resolve("nope/tokenizer.json");
        assertThatThrownBy(() -> HfTokenizer.load(file))
                .isInstanceOf(TokenizerNotFoundException.class)
                .hasMessageContaining(file.toString())
                .satisfies(e -> assertThat(((TokenizerNotFoundException) e).path()).isEqualTo(file));
    }

    @Test
    void malformedJsonNamesTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        Files.writeString(file, "{ \"model\": [1, 2,");
        assertThatThrownBy(() -> HfTokenizer.load(file))
                .isInstanceOf(TokenizerFormatException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("malformed JSON");
    }

    @Test
    void malformedTokenizerConfigNamesTheFile(@TempDir Path dir) throws IOException {
        Files.copy(Fixtures.tokenizerJson(), dir.resolve("tokenizer.json"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{ add_bos_token: ");
        assertThatThrownBy(() -> HfTokenizer.load(dir))
                .isInstanceOf(TokenizerFormatException.class)
                .hasMessageContaining(dir.resolve("tokenizer_config.json").toString());
    }
}
