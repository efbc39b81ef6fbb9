package ai.bayeslora.spark;

import ai.bayeslora.lora.TestAdapters;
import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.McqaExample;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.core.testing.TestDevices;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.laplace.LaplaceLoRA;
import ai.bayeslora.laplace.LaplacePosterior;
import ai.bayeslora.laplace.Structure;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.ensemble.LoraEnsemble;
import ai.bayeslora.lora.swag.SwagCollector;
import ai.bayeslora.lora.swag.SwagConfig;
import ai.bayeslora.lora.swag.SwagPosterior;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Posterior folders of every kind on the bundled tiny Llama, written once per test JVM (a second or two, no
 * training): random q/v LoRA adapters (θ ~ U(−0.2, 0.2), large enough that the members disagree), a 2-member
 * ensemble, a SWAG posterior of 6 perturbed snapshots with its adapter (a swag --out layout), a K-FAC Laplace
 * posterior fitted on 16 questions, and one adapter. The questions: 10 synthetic ones, rows 2 and 7 cut to 3
 * choices (A–C), so every comparison includes rows scored over their own choices.
 */
final class PosteriorFixtures {
    static final Path MODEL = BundledData.tinyLlamaModel();
    private static PosteriorFixtures instance;

    final Path root;
    final Path ensemble;
    final Path swagOut;
    final Path laplace;
    final Path adapter;
    final McqaDataset questions;

    private PosteriorFixtures(Path root) {
        this.root = root;
        ensemble = root.resolve("ensemble");
        swagOut = root.resolve("swag");
        laplace = root.resolve("laplace");
        adapter = root.resolve("adapter");
        questions = mixedChoices(BundledData.syntheticMcqaDataset().limit(10));
    }

    static synchronized PosteriorFixtures get() {
        if (instance == null) {
            try {
                Path root = Files.createTempDirectory("spark-score-fixtures");
                PosteriorFixtures f = new PosteriorFixtures(root);
                f.write();
                instance = f;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return instance;
    }

    /** Rows 2 and 7 with their first three choices (answer kept if it is among them, else 0). */
    static McqaDataset mixedChoices(McqaDataset d) {
        List<McqaExample> out = new ArrayList<>();
        for (int i = 0; i < d.size(); i++) {
            McqaExample e = d.get(i);
            if (i == 2 || i == 7) {
                e = new McqaExample(e.id(), e.question(), e.choices().subList(0, 3), e.labels().subList(0, 3),
                        e.answer() < 3 ? e.answer() : 0, e.subject(), e.verbatim(), e.context());
            }
            out.add(e);
        }
        return McqaDataset.of("mixed", d.classLabels(), out);
    }

    private static LoraAdapter randomAdapter(CausalLM model, long seed) {
        return TestAdapters.rank2QV(model, seed, seed, 0.2);
    }

    @SuppressWarnings("try")
    private void write() {
        try (CausalLM model = CausalLM.load(MODEL, TestDevices.device());
             HfTokenizer tok = HfTokenizer.load(MODEL)) {
            AnswerTokens answers = AnswerTokens.of(tok, questions.classLabels());
            try (LoraEnsemble e = LoraEnsemble.builder(model, answers).member(randomAdapter(model, 1), 1)
                    .member(randomAdapter(model, 2), 2).build()) {
                e.save(ensemble);
            }
            try (LoraAdapter a = randomAdapter(model, 3)) {
                a.save(adapter);
            }
            try (LoraAdapter a = randomAdapter(model, 4)) {
                SwagPosterior swag;
                try (SwagCollector c = new SwagCollector(SwagConfig.defaults()); PointerScope s = new PointerScope();
                     NoGradGuard g = new NoGradGuard()) {
                    torch.manual_seed(3);
                    for (int i = 0; i < 6; i++) {
                        for (Tensor p : a.parameters()) {
                            p.add_(torch.randn_like(p).mul(new Scalar(0.05)));
                        }
                        c.collect(a);
                    }
                    swag = c.posterior();
                }
                try (SwagPosterior sw = swag) {
                    sw.save(swagOut.resolve("posterior"));
                }
                a.save(swagOut.resolve("adapter"));
            }
            try (LoraAdapter a = randomAdapter(model, 5)) {
                McqaBatcher batcher = McqaBatcher.forTokenizer(tok);
                McqaDataset train = BundledData.syntheticMcqaTrain();
                List<EncodedBatch> fit = new ArrayList<>();
                for (int i = 0; i < 16; i += 8) {
                    fit.add(batcher.encode(train.examples().subList(i, i + 8)));
                }
                AnswerScorer scorer = new AnswerScorer(model, answers, ClassReduction.ANSWER_TOKENS);
                try (LaplacePosterior la = LaplaceLoRA.fit(scorer, a, fit).structure(Structure.KFAC).run()) {
                    la.save(laplace);
                }
            }
        }
    }
}
