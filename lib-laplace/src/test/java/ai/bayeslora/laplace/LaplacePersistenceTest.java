package ai.bayeslora.laplace;

import ai.bayeslora.core.testing.TestDevices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.DType;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.testing.Fixtures;
import ai.bayeslora.core.text.AnswerTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** save → load into a fresh model → identical predictions and evidence, for every structure; bad folders fail clearly. */
class LaplacePersistenceTest {
    @TempDir
    Path tmp;

    @Test
    void savedPosteriorsPredictExactlyAsBefore() throws Exception {
        try (PointerScope s = new PointerScope();
             TinySetup t = new TinySetup(List.of("v_proj", "lm_head"), 2, 0.2, 5);
             CausalLM fresh = CausalLM.load(Fixtures.model("tiny-llama"), TestDevices.device().withDType(DType.FLOAT64))) {
            List<EncodedBatch> train = t.batches(0, 10, 5);
            EncodedBatch test = t.batcher.encode(t.data.examples().subList(30, 34));
            AnswerScorer freshScorer = new AnswerScorer(fresh, AnswerTokens.of(t.tokenizer, t.data.classLabels()),
                    ClassReduction.ANSWER_TOKENS);
            for (Structure st : Structure.values()) {
                Path dir = tmp.resolve(st.cliName());
                LogitGaussian before;
                double evidence;
                double[] lambdas;
                try (LaplacePosterior la = LaplaceLoRA.fit(t.scorer, t.adapter, train).structure(st).rank(3)
                        .lowRankThreshold(30).run()) {
                    la.tunePriorPrecision(PriorTuning.Options.defaults().withPerBlock(st != Structure.FULL));
                    before = la.linearized(t.scorer).gaussian(test);
                    evidence = la.logMarginalLikelihood();
                    lambdas = la.priorPrecisions();
                    la.save(dir);
                    la.save(dir); // replacing an existing folder works too
                }
                try (LaplacePosterior back = LaplacePosterior.load(dir, fresh)) {
                    assertThat(back.structure()).isEqualTo(st);
                    assertThat(back.priorPrecisions()).containsExactly(lambdas);
                    assertThat(back.logMarginalLikelihood()).isEqualTo(evidence);
                    assertThat(back.classLabels()).containsExactly("A", "B", "C", "D");
                    LogitGaussian after = back.linearized(freshScorer).gaussian(test);
                    for (int b = 0; b < 4; b++) {
                        assertThat(after.mean(b)).containsExactly(before.mean(b));
                        for (int c = 0; c < 4; c++) {
                            assertThat(after.covariance(b)[c]).as(st + " example " + b).containsExactly(before.covariance(b)[c]);
                        }
                    }
                }
            }
            try (var files = Files.list(tmp)) {
                assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                        .containsExactly("diag", "full", "kfac", "kfac-lowrank"); // no temporary folders left
            }
            String manifest = Files.readString(tmp.resolve("kfac/manifest.json"));
            assertThat(manifest).contains("\"log_evidence\"").contains("\"structure\" : \"kfac\"")
                    .contains("\"class_labels\"").contains("\"adapter_fingerprint\"").contains("\"num_parameters\"");

            // a posterior whose θ* does not match its manifest is refused, naming the folder
            Path bad = tmp.resolve("kfac");
            Files.writeString(bad.resolve("manifest.json"), manifest.replaceAll(
                    "\"adapter_fingerprint\" : \"[0-9a-f]+\"", "\"adapter_fingerprint\" : \"00\""));
            assertThatThrownBy(() -> LaplacePosterior.load(bad, fresh)).isInstanceOf(PosteriorFormatException.class)
                    .hasMessageContaining(bad.toString()).hasMessageContaining("adapter_fingerprint");
            assertThatThrownBy(() -> LaplacePosterior.load(tmp, fresh)).isInstanceOf(PosteriorFormatException.class)
                    .hasMessageContaining("manifest.json");
        }
    }
}
