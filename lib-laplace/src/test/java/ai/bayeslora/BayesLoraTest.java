package ai.bayeslora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.testing.Fixtures;
import ai.bayeslora.core.testing.TestDevices;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.laplace.LaplaceLoRA;
import ai.bayeslora.laplace.LaplacePosterior;
import ai.bayeslora.laplace.Structure;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.lora.ensemble.EnsembleOptions;
import ai.bayeslora.lora.ensemble.EnsembleTrainer;
import ai.bayeslora.lora.ensemble.LoraEnsemble;
import ai.bayeslora.lora.mcdropout.McDropoutPredictive;
import ai.bayeslora.lora.swag.SwagCollector;
import ai.bayeslora.lora.swag.SwagConfig;
import ai.bayeslora.lora.swag.SwagPosterior;
import ai.bayeslora.lora.train.TrainingConfig;
import ai.bayeslora.uncertainty.EvaluationReport;
import ai.bayeslora.uncertainty.PosteriorPredictive;
import ai.bayeslora.uncertainty.UncertaintyEstimator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The entry object end to end on the tiny fixture model, as a notebook would use it, against the same steps wired by
 * hand through the fine-grained API on a second, independently loaded copy of the model. The two paths run the same
 * operations on the same shapes with the same seeds, so on the CPU the results must be equal bit for bit
 * (docs/DEVELOPING.md, "Tolerances": same operations, assert equality); on CUDA, reruns agree only to rounding
 * ({@link TestDevices#bitwiseReproducible()}), so there they are compared within the float32 tolerance.
 */
class BayesLoraTest {
    private static final Path MODEL = Fixtures.model("tiny-llama");
    private static final McqaDataset TRAIN = BundledData.syntheticMcqaTrain().limit(48);
    private static final McqaDataset TEST = BundledData.syntheticMcqaDataset().limit(24);
    private static final LoraConfig LORA = LoraConfig.builder().rank(4).alpha(8).dropout(0.1)
            .targetModules("q_proj", "v_proj").build();
    /** Two epochs here; the run overrides them with epochs(1), the hand-made run sets 1 in its config. */
    private static final TrainingConfig TRAINING = TrainingConfig.builder().learningRate(3e-3).batchSize(8).epochs(2)
            .progressBar(false).build();

    @TempDir
    static Path tmp;

    private static BayesLora bayes;
    private static CausalLM model;
    private static HfTokenizer tokenizer;
    private static McqaBatcher batcher;
    private static AnswerTokens answers;
    private static EnsembleTrainer.Result viaEntry;
    private static EnsembleTrainer.Result byHand;

    @BeforeAll
    static void trainBothWays() {
        bayes = BayesLora.open(MODEL, TestDevices.device());
        model = CausalLM.load(MODEL, TestDevices.device());
        tokenizer = HfTokenizer.load(MODEL);
        batcher = McqaBatcher.forTokenizer(tokenizer);
        answers = AnswerTokens.of(tokenizer, TRAIN.classLabels());

        viaEntry = bayes.trainEnsemble().members(2).seed(3).lora(LORA).training(TRAINING).epochs(1)
                .validation(TEST).checkpoints(tmp.resolve("entry-run")).run(TRAIN);
        byHand = new EnsembleTrainer(LORA, TRAINING.toBuilder().epochs(1).build(), 2, 3)
                .train(model, batcher, answers, TRAIN, Optional.of(TEST), tmp.resolve("hand-run"),
                        EnsembleOptions.defaults());
    }

    @AfterAll
    static void close() {
        if (viaEntry != null) {
            viaEntry.ensemble().close();
        }
        if (byHand != null) {
            byHand.ensemble().close();
        }
        if (bayes != null) {
            bayes.close();
        }
        if (tokenizer != null) {
            tokenizer.close();
        }
        if (model != null) {
            model.close();
        }
    }

    @Test
    void trainingRunEqualsThePositionalCall() throws Exception {
        assertThat(viaEntry.members()).hasSize(2);
        for (int m = 0; m < 2; m++) {
            assertThat(viaEntry.members().get(m).epochs()).hasSize(1);
            assertSame(parameters(viaEntry.ensemble().members().get(m)), parameters(byHand.ensemble().members().get(m)));
            assertThat(viaEntry.members().get(m).last().trainLoss()).isEqualTo(byHand.members().get(m).last().trainLoss());
            Path epoch = Path.of(EnsembleTrainer.memberDir(Path.of(""), m).toString(), "epoch-001",
                    "adapter_model.safetensors");
            if (TestDevices.bitwiseReproducible()) {
                assertThat(Files.readAllBytes(tmp.resolve("entry-run").resolve(epoch)))
                        .isEqualTo(Files.readAllBytes(tmp.resolve("hand-run").resolve(epoch)));
            }
        }
        assertThat(viaEntry.ensemble().seeds()).isEqualTo(byHand.ensemble().seeds());
    }

    @Test
    void estimatorOfTheTrainedEnsembleEqualsTheHandWiredOne() {
        EvaluationReport a = bayes.estimator(viaEntry.ensemble()).progress(false).evaluate(TEST);
        EvaluationReport b = UncertaintyEstimator.of(byHand.ensemble()).batcher(batcher).progress(false).evaluate(TEST);
        assertSame(a.prediction().samples().toArray(), b.prediction().samples().toArray());
        if (TestDevices.bitwiseReproducible()) {
            assertThat(a.summary()).isEqualTo(b.summary());
        }
        assertThat(a.labels()).isEqualTo(b.labels());
    }

    @Test
    void loadedEnsembleAndSingleAdapterEqualTheFineGrainedLoads() {
        Path ensembleDir = tmp.resolve("ensemble");
        byHand.ensemble().save(ensembleDir);
        Path adapterDir = tmp.resolve("adapter-0");
        byHand.ensemble().members().get(0).save(adapterDir);

        try (LoraEnsemble handEnsemble = LoraEnsemble.load(ensembleDir, model, answers);
             LoraEnsemble handSingle = LoraEnsemble.builder(model, answers)
                     .member(LoraAdapter.load(adapterDir, model)).build()) {
            assertSamePredictions(bayes.ensemble(ensembleDir, TEST), handEnsemble);
            assertSamePredictions(bayes.singleAdapter(adapterDir, TEST), handSingle);
        }
    }

    @Test
    void mcDropoutAndSwagEqualTheFineGrainedPredictives() {
        Path adapterDir = tmp.resolve("adapter-mc");
        byHand.ensemble().members().get(0).save(adapterDir);
        Path swagDir = tmp.resolve("swag");
        try (SwagCollector collector = new SwagCollector(SwagConfig.defaults())) {
            for (LoraAdapter member : byHand.ensemble().members()) {
                collector.collect(member);
            }
            try (SwagPosterior p = collector.posterior()) {
                p.save(swagDir);
            }
        }
        AnswerScorer scorer = new AnswerScorer(model, answers, ClassReduction.ANSWER_TOKENS);
        try (LoraAdapter mcAdapter = LoraAdapter.load(adapterDir, model);
             LoraAdapter swagAdapter = LoraAdapter.load(adapterDir, model);
             SwagPosterior swag = SwagPosterior.load(swagDir)) {
            assertSamePredictions(bayes.mcDropout(adapterDir, TEST, 3, 11),
                    new McDropoutPredictive(mcAdapter, scorer, 3, 11));
            assertSamePredictions(bayes.swag(swagDir, adapterDir, TEST, 4, 5),
                    swag.predictive(swagAdapter, scorer, 4, 5));
        }
    }

    @Test
    void laplaceFitAndLoadedPosteriorEqualTheFineGrainedOnes() {
        LoraAdapter entryAdapter = viaEntry.ensemble().members().get(0);
        LoraAdapter handAdapter = byHand.ensemble().members().get(0);
        AnswerScorer scorer = new AnswerScorer(model, answers, ClassReduction.ANSWER_TOKENS);
        Path laplaceDir = tmp.resolve("laplace");
        try (LaplacePosterior a = bayes.fitLaplace(entryAdapter, TRAIN).structure(Structure.KFAC).priorPrecision(2.0)
                .run();
             LaplacePosterior b = LaplaceLoRA.fit(scorer, handAdapter, batcher.batches(TRAIN, 8))
                     .structure(Structure.KFAC).priorPrecision(2.0).run()) {
            assertSame(new double[] {a.logMarginalLikelihood(), a.logLikelihood()},
                    new double[] {b.logMarginalLikelihood(), b.logLikelihood()});
            assertSamePredictions(a.linearized(bayes.scorer(TEST)), b.linearized(scorer));
            b.save(laplaceDir);
        }
        try (LaplacePosterior loaded = LaplacePosterior.load(laplaceDir, model)) {
            assertSamePredictions(bayes.laplaceLinearized(laplaceDir, TEST), loaded.linearized(scorer));
        }
    }

    @Test
    void entryObjectWiresTheFolder() {
        assertThat(bayes.modelDir()).isEqualTo(MODEL);
        assertThat(bayes.device()).isEqualTo(model.device());
        assertThat(bayes.answers(TEST).labels()).isEqualTo(answers.labels());
        // the batcher encodes as McqaBatcher.forTokenizer does: same tokens, same padding
        EncodedBatch a = bayes.batcher().encode(TEST.examples().subList(0, 4));
        EncodedBatch b = batcher.encode(TEST.examples().subList(0, 4));
        assertThat(a.inputIds()).isEqualTo(b.inputIds());
        assertThat(a.attentionMask()).isEqualTo(b.attentionMask());
        assertThat(a.positionIds()).isEqualTo(b.positionIds());
    }

    @Test
    void closedEntryObjectClosesWhatItLoadedAndRefusesMore() {
        Path adapterDir = tmp.resolve("adapter-close");
        byHand.ensemble().members().get(1).save(adapterDir);
        BayesLora other = BayesLora.open(MODEL, TestDevices.device());
        LoraEnsemble single = other.singleAdapter(adapterDir, TEST);
        other.close();
        other.close(); // idempotent
        assertThatThrownBy(() -> single.predict(other.batcher().encode(TEST.examples().subList(0, 1))))
                .isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> other.adapter(adapterDir)).isInstanceOf(IllegalStateException.class)
                .hasMessage("this BayesLora (" + MODEL + ") is closed");
        assertThatThrownBy(() -> other.trainEnsemble()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void openingAFolderThatIsNoModelNamesIt() {
        Path missing = tmp.resolve("no-model");
        assertThatThrownBy(() -> BayesLora.open(missing, TestDevices.device()))
                .isInstanceOf(ai.bayeslora.core.BayesLoraException.class).hasMessageContaining(missing.toString());
    }

    private static void assertSamePredictions(PosteriorPredictive viaEntryObject, PosteriorPredictive fineGrained) {
        for (int from = 0; from < TEST.size(); from += 8) {
            List<ai.bayeslora.core.data.McqaExample> rows = TEST.examples().subList(from, from + 8);
            assertSame(viaEntryObject.predict(bayes.batcher().encode(rows)).toArray(),
                    fineGrained.predict(batcher.encode(rows)).toArray());
        }
        assertThat(viaEntryObject.classLabels()).isEqualTo(fineGrained.classLabels());
    }

    private static double[] parameters(LoraAdapter adapter) {
        return NativeScope.noGrad(() -> adapter.parameterValues());
    }

    /** Equal on the CPU; within the float32 tolerance where reruns are not bitwise reproducible (CUDA). */
    private static void assertSame(double[] a, double[] b) {
        assertThat(a).hasSameSizeAs(b);
        if (TestDevices.bitwiseReproducible()) {
            assertThat(a).isEqualTo(b);
        } else {
            for (int i = 0; i < a.length; i++) {
                assertThat(a[i]).as("entry %d", i)
                        .isCloseTo(b[i], org.assertj.core.data.Offset.offset(TestDevices.float32Tolerance()
                                * Math.max(1, Math.abs(b[i]))));
            }
        }
    }
}
