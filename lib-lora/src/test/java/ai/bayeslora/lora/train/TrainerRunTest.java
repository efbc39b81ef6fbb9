package ai.bayeslora.lora.train;

import ai.bayeslora.lora.interop.AdapterTensors;
import ai.bayeslora.core.testing.Differences;
import ai.bayeslora.core.testing.TestDevices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.McqaExample;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.testing.Fixtures;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.core.text.TokenizerOptions;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.lora.train.internal.TrainerState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole training runs on tiny-llama and the bundled synthetic MCQA (48 train / 16 validation): same-seed determinism,
 * resume equality, divergence handling, early stopping, checkpoint layout and input errors. All on CPU, where libtorch
 * is deterministic.
 */
class TrainerRunTest {
    private static final String ADAPTER_FILE = "adapter_model.safetensors";
    private static CausalLM model;
    private static HfTokenizer tokenizer;
    private static McqaBatcher batcher;
    private static McqaDataset train;
    private static McqaDataset validation;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() {
        model = CausalLM.load(Fixtures.model("tiny-llama"), TestDevices.device());
        tokenizer = HfTokenizer.load(Fixtures.model("tiny-llama"), TokenizerOptions.builder().addBosFromConfig().build());
        batcher = McqaBatcher.forTokenizer(tokenizer);
        McqaDataset all = BundledData.syntheticMcqaDataset();
        train = all.filter("first 48", e -> index(e) < 48);
        validation = all.filter("last 16", e -> index(e) >= 48);
    }

    @AfterAll
    static void tearDown() {
        tokenizer.close();
        model.close();
    }

    private static int index(McqaExample e) {
        return Integer.parseInt(e.id().substring(e.id().lastIndexOf('-') + 1));
    }

    /** Everything that carries state across steps: dropout, AdamW with decoupled decay, warm-up, clipping, accumulation. */
    private static TrainingConfig statefulConfig(int epochs) {
        return TrainingConfig.builder().optimizer(OptimizerConfig.adamW(0.01)).learningRate(2e-3)
                .schedule(LearningRateSchedule.cosine(3)).maxGradNorm(0.5).batchSize(4).gradientAccumulationSteps(2)
                .epochs(epochs).seed(42).prior(Prior.gaussian(2.0)).progressBar(false).build();
    }

    private static LoraAdapter newAdapter(long seed) {
        return LoraAdapter.create(model, LoraConfig.builder().rank(4).alpha(8).dropout(0.1)
                .targetModules("q_proj", "v_proj").build(), seed);
    }

    @Test
    void sameSeedGivesTheSameAdapterBytesAndAnotherSeedDoesNot() throws IOException {
        byte[][] runs = new byte[3][];
        long[] seeds = {42, 42, 43};
        for (int i = 0; i < 3; i++) {
            Path out = tmp.resolve("run" + i);
            try (LoraAdapter adapter = newAdapter(1)) {
                new LoraTrainer(statefulConfig(1).toBuilder().seed(seeds[i]).build())
                        .train(adapter, batcher, train, Optional.empty(), out);
            }
            runs[i] = Files.readAllBytes(out.resolve("epoch-001").resolve(ADAPTER_FILE));
        }
        assertSameAdapter(tmp.resolve("run0/epoch-001"), tmp.resolve("run1/epoch-001"));
        assertThat(runs[2]).isNotEqualTo(runs[0]); // the seed moves data order and dropout masks
        assertThat(Differences.maxRelative(theta(tmp.resolve("run2/epoch-001")), theta(tmp.resolve("run0/epoch-001"))))
                .isGreaterThan(1e-3);
    }

    /** The same bytes where the device is bitwise reproducible; on CUDA the same θ to float32 rounding. */
    private static void assertSameAdapter(Path expected, Path actual) throws IOException {
        if (TestDevices.bitwiseReproducible()) {
            assertThat(Files.readAllBytes(actual.resolve(ADAPTER_FILE))).as(actual.toString())
                    .isEqualTo(Files.readAllBytes(expected.resolve(ADAPTER_FILE)));
        } else {
            assertThat(Differences.maxRelative(theta(actual), theta(expected))).as(actual.toString())
                    .isLessThan(TestDevices.float32Tolerance());
        }
    }

    @SuppressWarnings("try")
    private static double[] theta(Path adapterDir) {
        try (LoraAdapter a = LoraAdapter.load(adapterDir, model); PointerScope s = new PointerScope()) {
            return a.parameterValues();
        }
    }

    @Test
    void resumedRunEndsWithTheSameBytesAsAnUninterruptedOne() throws IOException {
        Path full = tmp.resolve("full");
        TrainingResult uninterrupted;
        try (LoraAdapter adapter = newAdapter(1)) {
            uninterrupted = new LoraTrainer(statefulConfig(3)).train(adapter, batcher, train, Optional.of(validation),
                    full);
        }
        assertThat(uninterrupted.epochs()).hasSize(3);
        assertThat(uninterrupted.finalCheckpoint()).contains(full.toAbsolutePath().resolve("epoch-003"));

        // a "crash" after epoch 1: a new process would load the adapter and resume
        Path resumedDir = tmp.resolve("resumed");
        TrainingResult resumed;
        try (LoraAdapter adapter = LoraAdapter.load(full.resolve("epoch-001"), model)) {
            // meanwhile someone else uses the global generator: the trainer's dropout stream must not notice
            torch.manual_seed(12345);
            resumed = new LoraTrainer(statefulConfig(3)).resume(full.resolve("epoch-001"), adapter, batcher, train,
                    Optional.of(validation), resumedDir);
        }
        if (TestDevices.bitwiseReproducible()) {
            for (String file : List.of(ADAPTER_FILE, TrainerState.TENSOR_FILE)) {
                assertThat(Files.readAllBytes(resumedDir.resolve("epoch-003").resolve(file))).as(file)
                        .isEqualTo(Files.readAllBytes(full.resolve("epoch-003").resolve(file)));
            }
        } else {
            assertSameAdapter(full.resolve("epoch-003"), resumedDir.resolve("epoch-003"));
        }
        assertThat(Files.exists(resumedDir.resolve("epoch-001"))).isFalse();
        assertThat(resumed.epochs()).hasSize(3);
        double lossTol = TestDevices.bitwiseReproducible() ? 0 : TestDevices.float32Tolerance();
        for (int e = 0; e < 3; e++) {
            EpochSummary a = uninterrupted.epochs().get(e);
            EpochSummary b = resumed.epochs().get(e);
            assertThat(b.trainLoss()).isCloseTo(a.trainLoss(), org.assertj.core.data.Offset.offset(lossTol));
            assertThat(b.validationNll().isPresent()).isEqualTo(a.validationNll().isPresent());
            assertThat(b.validationNll().orElse(0)).isCloseTo(a.validationNll().orElse(0),
                    org.assertj.core.data.Offset.offset(lossTol));
            assertThat(b.globalStep()).isEqualTo(a.globalStep());
        }
        assertThat(resumed.globalSteps()).isEqualTo(uninterrupted.globalSteps()).isEqualTo(3 * 6);
        assertThat(resumed.bestEpoch()).isEqualTo(uninterrupted.bestEpoch());
    }

    @Test
    @SuppressWarnings("try")
    void trainingLeavesTheGlobalGeneratorAlone() {
        try (LoraAdapter adapter = newAdapter(1); PointerScope s = new PointerScope()) {
            torch.manual_seed(7);
            double expected = torch.rand(1).item_double();
            torch.manual_seed(7);
            new LoraTrainer(statefulConfig(1)).train(adapter, batcher, train.limit(8), Optional.empty(), null);
            assertThat(torch.rand(1).item_double()).isEqualTo(expected);
        }
    }

    @Test
    void resumeRefusesAnotherBaseModelWithTheSameShapes() throws IOException {
        Path out = tmp.resolve("base");
        try (LoraAdapter adapter = newAdapter(1)) {
            new LoraTrainer(statefulConfig(1)).train(adapter, batcher, train.limit(8), Optional.empty(), out);
        }
        var c = model.config();
        try (CausalLM other = CausalLM.build(c, new ai.bayeslora.core.model.RandomWeights(c, 0.02, 9),
                TestDevices.device());
             LoraAdapter adapter = LoraAdapter.load(out.resolve("epoch-001"), other)) {
            assertThatThrownBy(() -> new LoraTrainer(statefulConfig(1)).resume(out.resolve("epoch-001"), adapter,
                    batcher, train.limit(8), Optional.empty(), tmp.resolve("base-resumed")))
                    .isInstanceOf(TrainerStateException.class).hasMessageContainingAll("base_model", "weights_probe");
        }
    }

    @Test
    void resumeRejectsAnotherConfigOrDataset() {
        Path out = tmp.resolve("run");
        try (LoraAdapter adapter = newAdapter(1)) {
            new LoraTrainer(statefulConfig(2)).train(adapter, batcher, train.limit(8), Optional.empty(), out);
            Path ckpt = out.resolve("epoch-001");
            assertThatThrownBy(() -> new LoraTrainer(statefulConfig(2).toBuilder().learningRate(1e-3).build())
                    .resume(ckpt, adapter, batcher, train.limit(8), Optional.empty(), out))
                    .isInstanceOf(TrainerStateException.class).hasMessageContaining("trainer_state.json")
                    .hasMessageContaining("learning_rate");
            assertThatThrownBy(() -> new LoraTrainer(statefulConfig(2))
                    .resume(ckpt, adapter, batcher, train.limit(9), Optional.empty(), out))
                    .isInstanceOf(TrainerStateException.class).hasMessageContaining("train_fingerprint");
            assertThatThrownBy(() -> new LoraTrainer(statefulConfig(2))
                    .resume(tmp, adapter, batcher, train.limit(8), Optional.empty(), out))
                    .isInstanceOf(TrainerStateException.class).hasMessageContaining("not found");
            // the free settings may change
            TrainingResult r = new LoraTrainer(statefulConfig(2).toBuilder().evalBatchSize(3).build())
                    .resume(ckpt, adapter, batcher, train.limit(8), Optional.empty(), out);
            assertThat(r.epochs()).hasSize(2);
        }
    }

    @Test
    void nanStopsTrainingNamingEpochAndStepAndKeepsTheLastCheckpoint() throws IOException {
        Path out = tmp.resolve("nan");
        List<byte[]> afterEpoch1 = new ArrayList<>();
        TrainingListener injector = new TrainingListener() {
            @Override
            public void onEpochEnd(EpochSummary summary) {
                try {
                    afterEpoch1.add(Files.readAllBytes(summary.checkpoint().orElseThrow().resolve(ADAPTER_FILE)));
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            @SuppressWarnings("try")
            public void onStepEnd(TrainingStep step) {
                if (step.epoch() == 2 && step.globalStep() == 8) {
                    try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                        step.adapter().parameters().get(0).view(-1).narrow(0, 0, 1).fill_(new Scalar(Double.NaN));
                    }
                }
            }
        };
        try (LoraAdapter adapter = newAdapter(1)) {
            assertThatThrownBy(() -> new LoraTrainer(statefulConfig(3)).withListener(injector)
                    .train(adapter, batcher, train, Optional.of(validation), out))
                    .isInstanceOfSatisfying(TrainingDivergedException.class, e -> {
                        assertThat(e.epoch()).isEqualTo(2);
                        assertThat(e.step()).isEqualTo(9);
                        assertThat(e.lastCheckpoint()).contains(out.toAbsolutePath().resolve("epoch-001"));
                        assertThat(e.getMessage()).contains("epoch 2, step 9").contains("loss = NaN")
                                .contains("epoch-001");
                    });
        }
        assertThat(afterEpoch1).hasSize(1);
        assertThat(Files.readAllBytes(out.resolve("epoch-001").resolve(ADAPTER_FILE))).isEqualTo(afterEpoch1.get(0));
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("epoch-001", LoraTrainer.METRICS_FILE);
        }
        try (LoraAdapter reloaded = LoraAdapter.load(out.resolve("epoch-001"), model); PointerScope s = new PointerScope()) {
            Tensor flat = AdapterTensors.flatten(reloaded, torch.ScalarType.Float);
            assertThat(torch.isfinite(flat).all().item_bool()).isTrue();
        }
    }

    @Test
    @SuppressWarnings("try")
    void hugeLearningRateDivergesBeforeCorruptingTheAdapter() {
        TrainingConfig config = TrainingConfig.builder().optimizer(OptimizerConfig.sgd(0, false)).learningRate(1e38)
                .schedule(LearningRateSchedule.constant()).noGradClipping().batchSize(8).epochs(2).progressBar(false)
                .build();
        List<double[]> lastGood = new ArrayList<>();
        try (LoraAdapter adapter = newAdapter(1)) {
            TrainingListener snapshot = new TrainingListener() {
                @Override
                public void onStepEnd(TrainingStep step) {
                    lastGood.add(0, adapter.parameterValues());
                }
            };
            assertThatThrownBy(() -> new LoraTrainer(config).withListener(snapshot)
                    .train(adapter, batcher, train, Optional.empty(), null))
                    .isInstanceOf(TrainingDivergedException.class).hasMessageContaining("epoch 1")
                    .hasMessageContaining("no checkpoint was written");
            // the failing step was not applied: the adapter still holds the parameters after the last good step
            try (PointerScope s = new PointerScope()) {
                assertThat(adapter.parameterValues()).containsExactly(lastGood.get(0));
            }
        }
    }

    @Test
    void earlyStoppingStopsAfterPatienceEpochsWithoutImprovement() throws IOException {
        // validation = the training questions with every answer moved to the next letter: the better the model fits
        // the training data, the worse this NLL gets
        List<McqaExample> shifted = new ArrayList<>();
        for (McqaExample e : train.limit(16).examples()) {
            shifted.add(new McqaExample(e.id(), e.question(), e.choices(), e.labels(), (e.answer() + 1) % 4,
                    e.subject(), e.verbatim()));
        }
        McqaDataset adversarial = McqaDataset.of("shifted", train.classLabels(), shifted);
        TrainingConfig config = TrainingConfig.builder().learningRate(1e-2).schedule(LearningRateSchedule.constant())
                .batchSize(8).epochs(10).earlyStoppingPatience(2).progressBar(false).build();
        Path out = tmp.resolve("early");
        TrainingResult r;
        try (LoraAdapter adapter = LoraAdapter.create(model, LoraConfig.builder().rank(4).alpha(8)
                .targetModules("q_proj", "v_proj", "o_proj").build(), 1)) {
            r = new LoraTrainer(config).train(adapter, batcher, train.limit(16), Optional.of(adversarial), out);
        }
        assertThat(r.stoppedEarly()).isTrue();
        int stopped = r.epochs().size();
        assertThat(stopped).isLessThan(10);
        double[] nll = r.epochs().stream().mapToDouble(e -> e.validationNll().getAsDouble()).toArray();
        // the rule, checked on the reported metrics: the best epoch is followed by exactly `patience` epochs that do
        // not beat it, and every epoch before the stop improved on all earlier ones or was within patience
        int best = r.bestEpoch();
        assertThat(stopped).isEqualTo(best + 2);
        for (int e = 0; e < nll.length; e++) {
            assertThat(nll[e]).isGreaterThanOrEqualTo(nll[best - 1]);
        }
        assertThat(r.bestCheckpoint()).contains(out.toAbsolutePath().resolve(String.format("epoch-%03d", best)));
        assertThat(Files.readString(out.resolve(LoraTrainer.METRICS_FILE))).contains("\"best_epoch\" : " + best);
    }

    @Test
    void checkpointHoldsAPeftAdapterAndTheTrainerState() throws IOException {
        Path out = tmp.resolve("layout");
        try (LoraAdapter adapter = newAdapter(1)) {
            TrainingResult r = new LoraTrainer(statefulConfig(2).toBuilder().checkpointEveryEpoch(false).build())
                    .train(adapter, batcher, train.limit(8), Optional.empty(), out);
            assertThat(r.epochs().get(0).checkpoint()).isEmpty();
            assertThat(r.finalCheckpoint()).contains(out.toAbsolutePath().resolve("epoch-002"));
        }
        try (Stream<Path> files = Files.list(out.resolve("epoch-002"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("adapter_config.json",
                    ADAPTER_FILE, TrainerState.JSON_FILE, TrainerState.TENSOR_FILE,
                    ai.bayeslora.core.io.AtomicOutput.MARKER);
        }
        assertThat(Files.exists(out.resolve("epoch-001"))).isFalse();
        TrainerState.Meta meta = TrainerState.readMeta(out.resolve("epoch-002"));
        assertThat(meta.epoch()).isEqualTo(2);
        assertThat(meta.globalStep()).isEqualTo(2);
        assertThat(meta.optimizerSteps()).isEqualTo(2);
        assertThat(meta.dropoutRng()).isTrue();
        try (var f = TrainerState.openTensors(out.resolve("epoch-002"))) {
            assertThat(f.names()).contains(TrainerState.DROPOUT_RNG_KEY,
                    "optimizer/base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight/exp_avg_sq",
                    "param/base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight");
        }
    }

    @Test
    void unlabelledOrImpossibleInputsAreRejectedClearly() {
        McqaExample e = train.get(0);
        McqaDataset unlabelled = McqaDataset.of("test.jsonl", train.classLabels(), List.of(new McqaExample(e.id(),
                e.question(), e.choices(), e.labels(), -1, e.subject(), e.verbatim())));
        try (LoraAdapter adapter = newAdapter(1)) {
            LoraTrainer trainer = new LoraTrainer(statefulConfig(1));
            assertThatThrownBy(() -> trainer.train(adapter, batcher, unlabelled, Optional.empty(), null))
                    .isInstanceOf(TrainingDataException.class).hasMessageContaining("test.jsonl")
                    .hasMessageContaining(e.id());
            assertThatThrownBy(() -> new LoraTrainer(statefulConfig(1).toBuilder().earlyStoppingPatience(1).build())
                    .train(adapter, batcher, train, Optional.empty(), null))
                    .isInstanceOf(TrainingDataException.class).hasMessageContaining("validation");
        }
        // an empty training set cannot even be built: the dataset says which source was empty
        assertThatThrownBy(() -> train.filter("nothing", x -> false))
                .isInstanceOf(ai.bayeslora.core.data.EmptyDatasetException.class).hasMessageContaining("nothing");
    }
}
