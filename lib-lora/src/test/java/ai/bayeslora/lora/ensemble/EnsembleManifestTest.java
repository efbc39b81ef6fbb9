package ai.bayeslora.lora.ensemble;

import ai.bayeslora.core.testing.TestDevices;
import static ai.bayeslora.lora.ensemble.TestEnsembles.config;
import static ai.bayeslora.lora.ensemble.TestEnsembles.randomMember;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.DType;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.model.ModelConfig;
import ai.bayeslora.core.model.RandomWeights;
import ai.bayeslora.core.testing.Fixtures;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.core.text.HfTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading rejects malformed manifests and foreign base models with messages naming the file and field. */
class EnsembleManifestTest {
    @TempDir
    Path tmp;
    private Path dir;
    private CausalLM model;
    private HfTokenizer tok;
    private AnswerTokens answers;

    @BeforeEach
    void saveATwoMemberEnsemble() {
        dir = tmp.resolve("ens");
        model = TestEnsembles.tiny(DType.FLOAT32);
        tok = TestEnsembles.tokenizer();
        answers = TestEnsembles.answers(tok);
        try (LoraEnsemble e = LoraEnsemble.builder(model, answers)
                .member(randomMember(model, config(2, 4, "q_proj"), 1, 0.1), 1)
                .member(randomMember(model, config(2, 4, "q_proj"), 2, 0.1), 2).build()) {
            e.save(dir);
        }
    }

    @AfterEach
    void close() {
        tok.close();
        model.close();
    }

    private void edit(UnaryOperator<String> change) throws IOException {
        Path f = dir.resolve("ensemble.json");
        Files.writeString(f, change.apply(Files.readString(f)));
    }

    private void assertLoadFails(Class<? extends Exception> type, String... fragments) {
        var a = assertThatThrownBy(() -> LoraEnsemble.load(dir, model, answers)).isInstanceOf(type);
        for (String f : fragments) {
            a.hasMessageContaining(f);
        }
    }

    @Test
    void missingManifestOrFolder() throws IOException {
        Files.delete(dir.resolve("ensemble.json"));
        assertLoadFails(EnsembleFormatException.class, "ensemble.json not found", dir.toString());
        assertThatThrownBy(() -> LoraEnsemble.load(tmp.resolve("nowhere"), model, answers))
                .isInstanceOf(EnsembleFormatException.class).hasMessageContaining("nowhere");
    }

    @Test
    void invalidJson() throws IOException {
        edit(s -> s.substring(0, s.length() / 2));
        assertLoadFails(EnsembleFormatException.class, "ensemble.json", "cannot parse");
    }

    @Test
    void missingMemberFolderIsNamed() throws IOException {
        deleteTree(dir.resolve("member-01"));
        assertLoadFails(EnsembleFormatException.class, "member folder 'member-01'", "missing");
    }

    @Test
    void badFields() throws IOException {
        edit(s -> s.replace("\"format_version\" : 1", "\"format_version\" : 2"));
        assertLoadFails(EnsembleFormatException.class, "format_version", "2");
        saveATwoMemberEnsemble();
        edit(s -> s.replace("\"member_count\" : 2", "\"member_count\" : 3"));
        assertLoadFails(EnsembleFormatException.class, "member_count", "3", "lists 2");
        saveATwoMemberEnsemble();
        edit(s -> s.replace("\"member-01\"", "\"../member-01\""));
        assertLoadFails(EnsembleFormatException.class, "members[1].folder", "plain folder name");
        saveATwoMemberEnsemble();
        edit(s -> s.replace("\"member-01\"", "\"member-00\""));
        assertLoadFails(EnsembleFormatException.class, "listed twice");
        saveATwoMemberEnsemble();
        edit(s -> s.replace("\"seed\" : 2", "\"seed\" : \"two\""));
        assertLoadFails(EnsembleFormatException.class, "members[1].seed");
        saveATwoMemberEnsemble();
        edit(s -> s.replace("\"answer-tokens\"", "\"softmax\""));
        assertLoadFails(EnsembleFormatException.class, "class_reduction", "softmax");
        saveATwoMemberEnsemble();
        edit(s -> s.replace("\"hidden_size\"", "\"hidden\""));
        assertLoadFails(EnsembleFormatException.class, "missing field 'base_model.hidden_size'");
        saveATwoMemberEnsemble();
        edit(s -> s.replace("bayeslora-lora-ensemble", "something-else"));
        assertLoadFails(EnsembleFormatException.class, "field 'format'", "something-else");
    }

    @Test
    void aBrokenMemberAdapterIsReportedWithItsFile() throws IOException {
        Files.delete(dir.resolve("member-01").resolve("adapter_model.safetensors"));
        assertLoadFails(ai.bayeslora.lora.AdapterFormatException.class, "member-01", "adapter_model.safetensors");
    }

    @Test
    void anotherArchitectureWithTheSameShapesIsRejected() {
        // tiny-mistral has exactly tiny-llama's shapes, so the adapters alone would load without complaint
        try (CausalLM mistral = CausalLM.load(Fixtures.model("tiny-mistral"), TestDevices.device())) {
            assertThatThrownBy(() -> LoraEnsemble.load(dir, mistral, answers))
                    .isInstanceOf(BaseModelMismatchException.class)
                    .hasMessageContaining("model_type: llama vs mistral").hasMessageContaining("ensemble.json");
        }
    }

    @Test
    void otherWeightsWithTheSameConfigAreRejected() {
        ModelConfig c = ModelConfig.load(TestEnsembles.TINY);
        try (CausalLM random = CausalLM.build(c, new RandomWeights(c, 0.1, 3), TestDevices.device())) {
            assertThatThrownBy(() -> LoraEnsemble.load(dir, random, answers))
                    .isInstanceOf(BaseModelMismatchException.class).hasMessageContaining("weights_probe");
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path f : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(f);
            }
        }
    }
}
