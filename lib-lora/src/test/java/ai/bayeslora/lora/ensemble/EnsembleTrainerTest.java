package ai.bayeslora.lora.ensemble;

import ai.bayeslora.core.testing.Differences;
import ai.bayeslora.core.testing.TestDevices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.DType;
import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.McqaExample;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.core.testing.RoundingBounds;
import ai.bayeslora.core.text.TokenizerOptions;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.lora.train.internal.TrainingRun;
import ai.bayeslora.lora.train.EpochSummary;
import ai.bayeslora.lora.train.LearningRateSchedule;
import ai.bayeslora.lora.train.LoraTrainer;
import ai.bayeslora.lora.train.OptimizerConfig;
import ai.bayeslora.lora.train.Prior;
import ai.bayeslora.lora.train.TrainingConfig;
import ai.bayeslora.lora.train.TrainingDivergedException;
import ai.bayeslora.lora.train.TrainingListener;
import ai.bayeslora.lora.train.TrainingObjective;
import ai.bayeslora.lora.train.TrainingResult;
import ai.bayeslora.uncertainty.ProbabilitySamples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link EnsembleTrainer} in both modes on tiny-llama in float64. The oracle for INTERLEAVED is SEQUENTIAL training
 * of each member alone by {@link LoraTrainer} with the same init seed, the shared data order and the same config:
 * the stacked forward, the joint backward through Σ_m loss_m and the per-member clipping and optimizer steps must
 * reproduce the lone runs up to float64 rounding.
 */
class EnsembleTrainerTest {
    private static final long BASE_SEED = 7;
    private static CausalLM model;
    private static HfTokenizer tokenizer;
    private static McqaBatcher batcher;
    private static AnswerTokens answers;
    private static McqaDataset train;
    private static McqaDataset validation;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() {
        model = TestEnsembles.tiny(DType.FLOAT64);
        tokenizer = HfTokenizer.load(TestEnsembles.TINY, TokenizerOptions.builder().addBosFromConfig().build());
        batcher = McqaBatcher.forTokenizer(tokenizer);
        McqaDataset all = BundledData.syntheticMcqaDataset();
        train = all.filter("first 12", e -> index(e) < 12);
        validation = all.filter("next 6", e -> index(e) >= 12 && index(e) < 18);
        answers = AnswerTokens.of(tokenizer, train.classLabels());
    }

    @AfterAll
    static void tearDown() {
        tokenizer.close();
        model.close();
    }

    private static int index(McqaExample e) {
        return Integer.parseInt(e.id().substring(e.id().lastIndexOf('-') + 1));
    }

    private static LoraConfig lora(double dropout) {
        return LoraConfig.builder().rank(4).alpha(8).dropout(dropout).targetModules("q_proj", "v_proj", "lm_head")
                .build();
    }

    /** AdamW with decay, warm-up + cosine, clipping, accumulation, a Gaussian prior: all per-member state. */
    private static TrainingConfig config(int epochs) {
        return TrainingConfig.builder().optimizer(OptimizerConfig.adamW(0.01)).learningRate(2e-2)
                .schedule(LearningRateSchedule.cosine(1)).maxGradNorm(0.5).batchSize(2).gradientAccumulationSteps(2)
                .epochs(epochs).prior(Prior.gaussian(2.0)).progressBar(false).build();
    }

    /** Member {@code seed} trained alone by LoraTrainer on the data order of seed {@code orderSeed}. */
    private static double[] alone(LoraConfig lora, TrainingConfig cfg, long seed, long orderSeed,
                                  List<TrainingResult> results) {
        try (LoraAdapter a = LoraAdapter.create(model, lora, seed)) {
            results.add(new LoraTrainer(cfg.toBuilder().seed(orderSeed).build())
                    .train(a, batcher, train, cfg.earlyStoppingPatience().isPresent() ? Optional.of(validation)
                            : Optional.empty(), null));
            return TestEnsembles.theta(a);
        }
    }

    /**
     * A bound on max|δθ| between two float64 AdamW runs from the same start whose gradients differ only by rounding
     * (docs/DEVELOPING.md, "Tolerances"). Each path's gradient carries {@link RoundingBounds#tinyModel}, so they differ
     * by 2·tinyModel relative; the normalised step m̂/(√v̂ + ε) carries that in m̂ and in √v̂ and the clipping
     * coefficient once more (3× for gradients well above ε; the ones that start at exactly zero, A's while B = 0, are
     * exactly zero on both paths), and θ moves by lr·step per step: max|δθ| ≤ T·lr·6·tinyModel, to first order.
     */
    private static double thetaBound(TrainingConfig cfg, long steps) {
        return steps * cfg.learningRate() * 6 * RoundingBounds.tinyModel(2);
    }

    private static double maxAbs(double[] a) {
        return Arrays.stream(a).map(Math::abs).max().orElseThrow();
    }

    /** ‖∇L‖₂ of the mean data NLL over {@code train} at θ (the Lipschitz constant that turns δθ into δL). */
    @SuppressWarnings("try")
    private static double gradientNorm(double[] theta) {
        try (LoraAdapter a = LoraAdapter.create(model, lora(0), 0); PointerScope s = new PointerScope()) {
            TestEnsembles.assign(a, theta);
            TrainingObjective objective = new TrainingObjective(new AnswerScorer(model, answers,
                    ClassReduction.ANSWER_TOKENS), Prior.none(), train.size());
            objective.dataTerm(batcher.encode(train.examples()), a.binding(), train.size()).loss().backward();
            double sq = 0;
            for (Tensor p : a.parameters()) {
                sq += p.grad().pow(new Scalar(2)).sum().item_double();
            }
            return Math.sqrt(sq);
        }
    }

    @Test
    void interleavedMembersEqualLoneRunsOnTheSharedDataOrder() throws Exception {
        int m = 2;
        TrainingConfig cfg = config(2); // 12 examples, 4 per step: 3 steps per epoch, 6 steps
        Path out = tmp.resolve("inter");
        EnsembleTrainer.Result r = new EnsembleTrainer(lora(0), cfg, m, BASE_SEED)
                .mode(EnsembleTrainingMode.INTERLEAVED)
                .train(model, batcher, answers, train, Optional.of(validation), out, EnsembleOptions.defaults());
        try (LoraEnsemble ens = r.ensemble()) {
            assertThat(ens.size()).isEqualTo(m);
            List<double[]> thetas = new ArrayList<>();
            for (int k = 0; k < m; k++) {
                List<TrainingResult> lone = new ArrayList<>();
                double[] expected = alone(lora(0), cfg, BASE_SEED + k, BASE_SEED, lone);
                double[] actual = TestEnsembles.theta(ens.members().get(k));
                double[] init;
                try (LoraAdapter a = LoraAdapter.create(model, lora(0), BASE_SEED + k)) {
                    init = TestEnsembles.theta(a);
                }
                assertThat(Differences.maxRelative(expected, init)).as("member %d moved", k).isGreaterThan(1e-3);
                double dTheta = thetaBound(cfg, 6);
                assertThat(Differences.maxRelative(actual, expected)).as("member %d vs lone run", k)
                        .isLessThan(dTheta / maxAbs(expected));
                TrainingResult got = r.members().get(k);
                assertThat(got.globalSteps()).isEqualTo(6);
                // each step's loss: the forward's own rounding (|δ(−log p)| ≤ 2‖δf‖_∞ ≤ 4·5·tinyModel, two paths)
                // plus ‖∇L‖₁·max|δθ| ≤ √P·‖∇L‖₂·max|δθ|, with ‖∇L‖₂ taken as twice the larger of its values at
                // the start and the end
                double lipschitz = 2 * Math.max(gradientNorm(init), gradientNorm(expected)) * Math.sqrt(init.length);
                double lossTol = RoundingBounds.tinyProbabilities(2) + lipschitz * dTheta;
                for (int e = 0; e < 2; e++) {
                    assertThat(got.epochs().get(e).trainLoss())
                            .isCloseTo(lone.get(0).epochs().get(e).trainLoss(), org.assertj.core.data.Offset.offset(lossTol));
                    assertThat(got.epochs().get(e).validationNll()).isPresent();
                }
                for (String epoch : List.of("epoch-001", "epoch-002")) {
                    Path dir = EnsembleTrainer.memberDir(out, k).resolve(epoch);
                    assertThat(dir.resolve("adapter_model.safetensors")).exists();
                    assertThat(dir.resolve("trainer_state.safetensors")).exists();
                }
                assertThat(EnsembleTrainer.memberDir(out, k).resolve(LoraTrainer.METRICS_FILE)).exists();
                thetas.add(actual);
            }
            assertThat(Differences.maxRelative(thetas.get(0), thetas.get(1))).as("members differ").isGreaterThan(1e-2);
        }
    }

    /**
     * Multi-token labels (the classes relabelled A, E, False, True; all but " A" are several tokens): the stacked
     * training forward over the B·C expanded rows reproduces each member trained alone, as above.
     */
    @Test
    void interleavedMultiTokenMembersEqualLoneRuns() throws Exception {
        List<String> labels = List.of("A", "E", "False", "True");
        McqaDataset relabelled = train.relabelled(labels);
        AnswerTokens multi = AnswerTokens.of(tokenizer, labels);
        assertThat(multi.singleToken()).isFalse();
        TrainingConfig cfg = config(1); // 3 steps
        EnsembleTrainer.Result r = new EnsembleTrainer(lora(0), cfg, 2, BASE_SEED)
                .mode(EnsembleTrainingMode.INTERLEAVED)
                .train(model, batcher, multi, relabelled, Optional.empty(), tmp.resolve("multi"),
                        EnsembleOptions.defaults());
        try (LoraEnsemble ens = r.ensemble()) {
            for (int k = 0; k < 2; k++) {
                double[] expected;
                double[] init;
                try (LoraAdapter a = LoraAdapter.create(model, lora(0), BASE_SEED + k)) {
                    init = TestEnsembles.theta(a);
                    new LoraTrainer(cfg.toBuilder().seed(BASE_SEED).build()).train(a, batcher, relabelled,
                            Optional.empty(), null);
                    expected = TestEnsembles.theta(a);
                }
                assertThat(Differences.maxRelative(expected, init)).as("member %d moved", k).isGreaterThan(1e-3);
                // as thetaBound, with each gradient's rounding up to maxLength times larger (summed log-probabilities)
                double bound = multi.maxLength() * thetaBound(cfg, 3);
                assertThat(Differences.maxRelative(TestEnsembles.theta(ens.members().get(k)), expected))
                        .as("member %d vs lone run", k).isLessThan(bound / maxAbs(expected));
            }
        }
    }

    @Test
    void eachMemberHasItsOwnDropoutStreamAndMemberZeroEqualsTheSequentialMemberZero() {
        TrainingConfig cfg = config(1);
        EnsembleTrainer.Result r = new EnsembleTrainer(lora(0.2), cfg, 2, BASE_SEED)
                .mode(EnsembleTrainingMode.INTERLEAVED)
                .train(model, batcher, answers, train, Optional.empty(), null, EnsembleOptions.defaults());
        try (LoraEnsemble ens = r.ensemble()) {
            // member 0 of both modes: init, dropout and data order all from BASE_SEED
            double[] seq0 = alone(lora(0.2), cfg, BASE_SEED, BASE_SEED, new ArrayList<>());
            assertThat(Differences.maxRelative(TestEnsembles.theta(ens.members().get(0)), seq0))
                    .isLessThan(thetaBound(cfg, 3) / maxAbs(seq0));
            // member 1 alone with member 0's data order but dropout seed BASE_SEED (LoraTrainer ties them): differs,
            // because interleaved member 1 draws its masks from its own stream (seed BASE_SEED + 1)
            double[] seq1 = alone(lora(0.2), cfg, BASE_SEED + 1, BASE_SEED, new ArrayList<>());
            assertThat(Differences.maxRelative(TestEnsembles.theta(ens.members().get(1)), seq1)).isGreaterThan(1e-6);
        }
    }

    @Test
    void clippingIsPerMember() {
        // SGD, one step, so the update is −lr·(clipped gradient). Member 0 gets gradients ~50x larger than member 1.
        LoraConfig lora = lora(0);
        TrainingConfig noClip = TrainingConfig.builder().optimizer(OptimizerConfig.sgd(0, false)).learningRate(1.0)
                .schedule(LearningRateSchedule.constant()).noGradClipping().batchSize(4).maxSteps(1).epochs(1)
                .prior(Prior.none()).progressBar(false).seed(BASE_SEED).build();
        double[] stds = {0.5, 0.01};
        double[] norms = new double[2];
        double[][] init = new double[2][];
        double[][] unclipped = new double[2][];
        for (int k = 0; k < 2; k++) {
            try (LoraAdapter a = TestEnsembles.randomMember(model, lora, BASE_SEED + k, stds[k])) {
                init[k] = TestEnsembles.theta(a);
                new LoraTrainer(noClip).train(a, batcher, train, Optional.empty(), null);
                unclipped[k] = TestEnsembles.theta(a);
                norms[k] = norm(init[k], unclipped[k]);
            }
        }
        assertThat(norms[0]).isGreaterThan(20 * norms[1]);
        double c = Math.sqrt(norms[0] * norms[1]); // clips member 0 only
        TrainingConfig clip = noClip.toBuilder().maxGradNorm(c).build();
        List<LoraAdapter> members = new ArrayList<>();
        try {
            for (int k = 0; k < 2; k++) {
                members.add(TestEnsembles.randomMember(model, lora, BASE_SEED + k, stds[k]));
            }
            try (TrainingRun run = new TrainingRun(specs(members), clip, batcher, train, Optional.empty())) {
                run.start();
                run.loop();
            }
            double[] got0 = TestEnsembles.theta(members.get(0));
            double[] got1 = TestEnsembles.theta(members.get(1));
            // member 0 clipped to norm c (torch's c / (‖g‖ + 1e-6))
            assertThat(norm(init[0], got0)).isCloseTo(c, org.assertj.core.data.Offset.offset(c * 1e-6));
            // member 1 untouched by member 0's clip: exactly its unclipped update (a joint clip would shrink it). One
            // SGD step θ − lr·g: the two paths' gradients differ by 2·tinyModel relative to the gradient's norm, so
            // max|δθ| ≤ 2·tinyModel·lr‖g‖₂ ≤ 2·tinyModel·√P·max|Δθ| (a joint clip would shrink Δθ 4.5-fold or more)
            double update = 0;
            for (int i = 0; i < got1.length; i++) {
                update = Math.max(update, Math.abs(unclipped[1][i] - init[1][i]));
            }
            assertThat(Differences.maxRelative(got1, unclipped[1]))
                    .isLessThan(2 * RoundingBounds.tinyModel(2) * update * Math.sqrt(got1.length) / maxAbs(unclipped[1]));
        } finally {
            members.forEach(LoraAdapter::close);
        }
    }

    /** Members k with dropout seed BASE_SEED + k, no checkpoints, no listeners. */
    private static List<TrainingRun.MemberSpec> specs(List<LoraAdapter> members) {
        List<TrainingRun.MemberSpec> out = new ArrayList<>();
        for (int k = 0; k < members.size(); k++) {
            out.add(new TrainingRun.MemberSpec(members.get(k), BASE_SEED + k, null, List.of(),
                    "ensemble member " + k + ": "));
        }
        return out;
    }

    private static double norm(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }

    @Test
    void divergenceNamesTheMemberAndAppliesNoStep() {
        LoraConfig lora = lora(0);
        List<LoraAdapter> members = new ArrayList<>();
        try {
            members.add(TestEnsembles.randomMember(model, lora, BASE_SEED, 0.01));
            double[] theta = TestEnsembles.randomTheta(members.get(0).parameterCount(), BASE_SEED + 1, 0.01);
            theta[3] = Double.NaN;
            LoraAdapter bad = LoraAdapter.create(model, lora, BASE_SEED + 1);
            members.add(bad);
            TestEnsembles.assign(bad, theta);
            double[] before = TestEnsembles.theta(members.get(0));
            try (TrainingRun run = new TrainingRun(specs(members), config(1).toBuilder().seed(BASE_SEED).build(),
                    batcher, train, Optional.empty())) {
                run.start();
                assertThatThrownBy(run::loop).isInstanceOfSatisfying(TrainingDivergedException.class, e -> {
                    assertThat(e.step()).isEqualTo(1);
                    assertThat(e.getMessage()).contains("ensemble member 1").contains("loss = NaN");
                });
            }
            assertThat(TestEnsembles.theta(members.get(0))).isEqualTo(before); // member 0's step not applied
        } finally {
            members.forEach(LoraAdapter::close);
        }
    }

    @Test
    void interleavedResumeEndsWhereAnUninterruptedRunEnds() throws Exception {
        // a "crash" after epoch 1: every member's epoch-1 checkpoint is written before the listeners run
        resumeEndsWhereAnUninterruptedRunEnds(EnsembleTrainingMode.INTERLEAVED);
    }

    @Test
    void sequentialResumeEndsWhereAnUninterruptedRunEnds() throws Exception {
        // member 0 finishes, member 1 "crashes" after its epoch 1
        resumeEndsWhereAnUninterruptedRunEnds(EnsembleTrainingMode.SEQUENTIAL);
    }

    /** Member 1's listener throws after epoch 1; resume must end with the uninterrupted run's bytes. */
    private void resumeEndsWhereAnUninterruptedRunEnds(EnsembleTrainingMode mode) throws Exception {
        TrainingConfig cfg = config(2);
        Path full = tmp.resolve(mode + "-full");
        double[][] expected = new double[2][];
        EnsembleTrainer trainer = new EnsembleTrainer(lora(0.1), cfg, 2, BASE_SEED).mode(mode);
        try (LoraEnsemble ens = trainer.train(model, batcher, answers, train, Optional.empty(), full,
                EnsembleOptions.defaults()).ensemble()) {
            for (int k = 0; k < 2; k++) {
                expected[k] = TestEnsembles.theta(ens.members().get(k));
            }
        }
        Path crashed = tmp.resolve(mode + "-crashed");
        EnsembleTrainer crashing = new EnsembleTrainer(lora(0.1), cfg, 2, BASE_SEED).mode(mode)
                .withListeners(k -> k == 1 ? new TrainingListener() {
                    @Override
                    public void onEpochEnd(EpochSummary s) {
                        throw new IllegalStateException("crash");
                    }
                } : null);
        assertThatThrownBy(() -> crashing.train(model, batcher, answers, train, Optional.empty(), crashed,
                EnsembleOptions.defaults())).hasMessage("crash");
        assertThat(crashed.resolve("member-01/epoch-002")).doesNotExist();
        EnsembleTrainer.Result r = trainer.resume(model, batcher, answers, train, Optional.empty(), crashed,
                EnsembleOptions.defaults());
        try (LoraEnsemble ens = r.ensemble()) {
            for (int k = 0; k < 2; k++) {
                assertThat(r.members().get(k).epochs()).hasSize(2);
                if (!TestDevices.bitwiseReproducible()) { // CUDA: equal to rounding (docs/DEVELOPING.md, "Devices")
                    assertThat(Differences.maxRelative(TestEnsembles.theta(ens.members().get(k)), expected[k])).as("member %d", k)
                            .isLessThan(TestDevices.float32Tolerance());
                    continue;
                }
                assertThat(TestEnsembles.theta(ens.members().get(k))).as("member %d", k).isEqualTo(expected[k]);
                for (String file : List.of("adapter_model.safetensors", "trainer_state.safetensors")) {
                    assertThat(Files.readAllBytes(EnsembleTrainer.memberDir(crashed, k).resolve("epoch-002")
                            .resolve(file))).as("member %d %s", k, file).isEqualTo(Files.readAllBytes(
                            EnsembleTrainer.memberDir(full, k).resolve("epoch-002").resolve(file)));
                }
            }
        }
    }

    /**
     * Early stopping per member: trained together, each member stops where it would stop alone (same init seed,
     * shared data order), and leaves the stacked forward while the others go on.
     */
    @Test
    void interleavedEarlyStoppingEqualsLoneRunsWithEarlyStopping() {
        TrainingConfig cfg = config(6).toBuilder().earlyStoppingPatience(1).learningRate(8e-2).build();
        EnsembleTrainer t = new EnsembleTrainer(lora(0), cfg, 3, BASE_SEED).mode(EnsembleTrainingMode.INTERLEAVED);
        EnsembleTrainer.Result r = t.train(model, batcher, answers, train, Optional.of(validation), null,
                EnsembleOptions.defaults());
        try (LoraEnsemble ens = r.ensemble()) {
            Set<Integer> stops = new HashSet<>();
            for (int k = 0; k < 3; k++) {
                List<TrainingResult> lone = new ArrayList<>();
                double[] expected = alone(lora(0), cfg, BASE_SEED + k, BASE_SEED, lone);
                TrainingResult got = r.members().get(k);
                assertThat(got.stoppedEarly()).as("member %d stopped early", k).isEqualTo(lone.get(0).stoppedEarly());
                assertThat(got.epochs()).as("member %d epochs", k).hasSameSizeAs(lone.get(0).epochs());
                assertThat(got.globalSteps()).isEqualTo(lone.get(0).globalSteps());
                assertThat(Differences.maxRelative(TestEnsembles.theta(ens.members().get(k)), expected)).as("member %d", k)
                        .isLessThan(thetaBound(cfg, got.globalSteps()) / maxAbs(expected));
                stops.add(got.epochs().size());
            }
            assertThat(r.members()).anyMatch(TrainingResult::stoppedEarly);
            System.out.println("interleaved early stopping: members ran " + stops + " epochs");
        }
    }

    @Test
    void sequentialModeTrainsEveryMemberWithItsOwnSeedAndReturnsAWorkingEnsemble() {
        Path out = tmp.resolve("seq");
        EnsembleTrainer trainer = new EnsembleTrainer(lora(0), config(1), 2, BASE_SEED);
        assertThat(trainer.mode()).isEqualTo(EnsembleTrainingMode.SEQUENTIAL);
        assertThat(trainer.dataOrderSeed(1)).isEqualTo(BASE_SEED + 1);
        EnsembleTrainer.Result r = trainer.train(model, batcher, answers, train, Optional.of(validation), out,
                EnsembleOptions.defaults());
        try (LoraEnsemble ens = r.ensemble()) {
            assertThat(r.members()).hasSize(2);
            assertThat(ens.seeds()).extracting(s -> s.getAsLong()).containsExactly(BASE_SEED, BASE_SEED + 1);
            // member 1 is LoraTrainer with seed BASE_SEED + 1 for everything
            double[] seq1 = alone(lora(0), config(1), BASE_SEED + 1, BASE_SEED + 1, new ArrayList<>());
            // the sequential mode is LoraTrainer itself: the same operations, so the same bits
            assertThat(TestEnsembles.theta(ens.members().get(1))).containsExactly(seq1);
            for (int k = 0; k < 2; k++) {
                assertThat(EnsembleTrainer.memberDir(out, k).resolve("epoch-001").resolve("adapter_model.safetensors"))
                        .exists();
            }
            EncodedBatch batch = batcher.encode(validation.examples().subList(0, 4));
            ProbabilitySamples p = ens.predict(batch);
            assertThat(p.samples()).isEqualTo(2);
            assertThat(p.batchSize()).isEqualTo(4);
            for (int s = 0; s < 2; s++) {
                for (int b = 0; b < 4; b++) {
                    double sum = 0;
                    for (int c = 0; c < p.numClasses(); c++) {
                        sum += p.get(s, b, c);
                    }
                    // a softmax over the classes, summed: a few ulps each
                    assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(RoundingBounds.gamma(16)));
                }
            }
            assertThat(TestEnsembles.memberDiff(p, 0, 1)).isGreaterThan(0);
        }
        assertThat(Arrays.asList(EnsembleTrainingMode.values())).hasSize(2);
    }
}
