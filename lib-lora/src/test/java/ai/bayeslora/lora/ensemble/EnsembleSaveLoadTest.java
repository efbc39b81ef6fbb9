package ai.bayeslora.lora.ensemble;

import ai.bayeslora.core.io.AtomicOutput;
import ai.bayeslora.core.io.OutputConflictException;
import static ai.bayeslora.lora.ensemble.TestEnsembles.TARGETS;
import static ai.bayeslora.lora.ensemble.TestEnsembles.config;
import static ai.bayeslora.lora.ensemble.TestEnsembles.randomMember;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.DType;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.safetensors.SafetensorsFile;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Save → load round trips of an ensemble folder (peft member folders + ensemble.json). */
class EnsembleSaveLoadTest {
    @TempDir
    Path tmp;

    @Test
    void roundTripIsBitwiseAndPredictsTheSame() throws Exception {
        Path dir = tmp.resolve("ens");
        Path again = tmp.resolve("again");
        Path direct = tmp.resolve("direct");
        EnsembleOptions fullVocab = EnsembleOptions.builder().reduction(ClassReduction.FULL_VOCAB_WITH_OTHER).build();
        try (CausalLM model = TestEnsembles.tiny(DType.FLOAT32); HfTokenizer tok = TestEnsembles.tokenizer()) {
            EncodedBatch batch = TestEnsembles.batch(tok, 5);
            LoraConfig cfg = config(4, 8, TARGETS);
            double[] before;
            try (LoraEnsemble e = LoraEnsemble.builder(model, TestEnsembles.answers(tok)).options(fullVocab)
                    .member(randomMember(model, cfg, 31, 0.1), 31)
                    .member(randomMember(model, config(2, 4, "q_proj", "v_proj"), 32, 0.1))
                    .member(randomMember(model, cfg, 33, 0.1), 33).build()) {
                e.save(dir);
                for (int m = 0; m < 3; m++) {
                    e.members().get(m).save(direct.resolve("m" + m)); // independent path: plain peft save
                }
                before = e.predict(batch).toArray();
            }
            JsonNode manifest = new ObjectMapper().readTree(dir.resolve("ensemble.json").toFile());
            assertThat(manifest.get("format").asText()).isEqualTo("bayeslora-lora-ensemble");
            assertThat(manifest.get("format_version").asInt()).isEqualTo(1);
            assertThat(manifest.get("member_count").asInt()).isEqualTo(3);
            assertThat(manifest.get("members").findValuesAsText("folder"))
                    .containsExactly("member-00", "member-01", "member-02");
            assertThat(manifest.get("members").get(0).get("seed").asLong()).isEqualTo(31);
            assertThat(manifest.get("members").get(1).get("seed").isNull()).isTrue();
            assertThat(manifest.get("class_reduction").asText()).isEqualTo("full-vocab-with-other");
            assertThat(manifest.get("class_labels").toString()).isEqualTo("[\"A\",\"B\",\"C\",\"D\",\"other\"]");
            JsonNode base = manifest.get("base_model");
            assertThat(base.get("config_sha256").asText()).isEqualTo(HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(TestEnsembles.TINY
                            .resolve("config.json")))));
            assertThat(base.get("hidden_size").asInt()).isEqualTo(64);
            assertThat(base.get("weights_probe").asText()).hasSize(64);

            try (LoraEnsemble loaded = LoraEnsemble.load(dir, model, TestEnsembles.answers(tok))) {
                assertThat(loaded.size()).isEqualTo(3);
                assertThat(loaded.seeds()).containsExactly(OptionalLong.of(31), OptionalLong.empty(),
                        OptionalLong.of(33));
                assertThat(loaded.options().reduction()).isEqualTo(ClassReduction.FULL_VOCAB_WITH_OTHER);
                assertThat(loaded.classLabels()).containsExactly("A", "B", "C", "D", "other");
                assertThat(loaded.predict(batch).toArray()).isEqualTo(before);
                loaded.save(again);
            }
        }
        for (int m = 0; m < 3; m++) {
            String folder = EnsembleManifest.folderName(m);
            assertSameTensors(dir.resolve(folder), again.resolve(folder));
            assertSameTensors(direct.resolve("m" + m), dir.resolve(folder));
        }
        assertThat(Files.readString(again.resolve("ensemble.json")))
                .isEqualTo(Files.readString(dir.resolve("ensemble.json")));
    }

    @Test
    void saveReplacesItsOwnFolderAtomicallyRefusesOthersAndLeavesNoTemporaries() throws IOException {
        Path dir = tmp.resolve("ens");
        Path foreign = Files.createDirectories(tmp.resolve("foreign"));
        Files.writeString(foreign.resolve("notes.txt"), "precious");
        try (CausalLM model = TestEnsembles.tiny(DType.FLOAT32); HfTokenizer tok = TestEnsembles.tokenizer();
             LoraEnsemble e = LoraEnsemble.builder(model, TestEnsembles.answers(tok))
                     .member(LoraAdapter.create(model, config(2, 2, "q_proj"), 1), 1).build()) {
            e.save(dir);
            Files.createDirectories(dir.resolve("member-07"));
            Files.writeString(dir.resolve("stale.txt"), "old");
            e.save(dir); // the folder carries the library's marker: replaced whole
            assertThatThrownBy(() -> e.save(foreign)).isInstanceOf(OutputConflictException.class)
                    .hasMessageContaining(foreign.toString());
            assertThat(Files.readString(foreign.resolve("notes.txt"))).isEqualTo("precious");
            e.save(foreign, AtomicOutput.Replace.ANY); // the user asked for it
            assertThat(foreign.resolve("notes.txt")).doesNotExist();
        }
        try (Stream<Path> top = Files.list(tmp); Stream<Path> inside = Files.list(dir)) {
            assertThat(top.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("ens", "foreign");
            assertThat(inside.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("ensemble.json",
                    "member-00", AtomicOutput.MARKER);
        }
    }

    @Test
    void sameBaseLoadedInAnotherDtypeIsAccepted() {
        Path dir = tmp.resolve("ens");
        try (CausalLM model = TestEnsembles.tiny(DType.FLOAT32); HfTokenizer tok = TestEnsembles.tokenizer();
             LoraEnsemble e = LoraEnsemble.builder(model, TestEnsembles.answers(tok))
                     .member(randomMember(model, config(2, 2, "q_proj"), 1, 0.1)).build()) {
            e.save(dir);
        }
        try (CausalLM model64 = TestEnsembles.tiny(DType.FLOAT64); HfTokenizer tok = TestEnsembles.tokenizer();
             LoraEnsemble e = LoraEnsemble.load(dir, model64, TestEnsembles.answers(tok))) {
            assertThat(e.size()).isEqualTo(1);
            assertThat(e.options().reduction()).isEqualTo(ClassReduction.ANSWER_TOKENS);
        }
    }

    private static void assertSameTensors(Path a, Path b) {
        try (SafetensorsFile fa = SafetensorsFile.open(a.resolve("adapter_model.safetensors"));
             SafetensorsFile fb = SafetensorsFile.open(b.resolve("adapter_model.safetensors"))) {
            assertThat(fb.names()).isEqualTo(fa.names());
            assertThat(fa.names()).isNotEmpty();
            for (String name : fa.names()) {
                assertThat(fb.rawBytes(name)).as(name).isEqualTo(fa.rawBytes(name));
                assertThat(fb.info(name).shape()).as(name).isEqualTo(fa.info(name).shape());
            }
        }
    }
}
