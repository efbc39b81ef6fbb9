package ai.bayeslora.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.bayeslora.BayesLora;
import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.core.data.EmptyDatasetException;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.PaperPrompts;
import ai.bayeslora.core.io.OutputConflictException;
import ai.bayeslora.core.testing.TestDevices;
import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.lora.ensemble.EnsembleTrainer;
import ai.bayeslora.lora.ensemble.LoraEnsemble;
import ai.bayeslora.lora.train.EpochSummary;
import ai.bayeslora.lora.train.TrainerStateException;
import ai.bayeslora.lora.train.TrainingConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Members trained as Spark tasks against the oracle, the library's single-process SEQUENTIAL run
 * ({@code BayesLora.trainEnsemble()}, i.e. {@link EnsembleTrainer}) with the same settings, on its own model
 * instance. Both run the same libtorch CPU operations in the same order on the same float32 shapes (one intra-op
 * thread; OpenBLAS's GEMM partitions its output, so what the other task's thread does on the shared model cannot
 * change a result: docs/DEVELOPING.md, "Threading"), so on the CPU the checkpoints must be equal byte for byte,
 * adapter weights, optimizer moments and dropout generator state included. On CUDA reruns agree only to rounding
 * ({@link ai.bayeslora.core.testing.TestDevices#bitwiseReproducible()}): the same files, the adapters within the
 * float32 tolerance ({@link RunFolders#assertSameRun}). LoRA dropout is on so that the generator state is part of
 * what a resume must restore.
 */
class SparkEnsembleTrainingTest {
    private static final long SEED = 11;
    private static final LoraConfig LORA = LoraConfig.builder().rank(4).alpha(8).dropout(0.1)
            .targetModules("q_proj", "v_proj").build();
    private static final TrainingConfig TRAINING = TrainingConfig.builder().learningRate(1e-3).batchSize(4).epochs(2)
            .progressBar(false).build();
    /** Events of the retry test's listener (local mode: the tasks run in this JVM). */
    private static final List<String> EVENTS = new CopyOnWriteArrayList<>();

    @TempDir
    static Path shared;

    private static McqaDataset train;
    private static SparkModel spec;
    private static Path oracle;
    private static Path oracleFinal;

    @BeforeAll
    static void trainOracle() {
        train = BundledData.syntheticMcqaTrain().limit(24);
        spec = SparkTests.model(BundledData.tinyLlamaModel().toString());
        oracle = shared.resolve("oracle");
        oracleFinal = shared.resolve("oracle-final");
        try (BayesLora b = BayesLora.open(BundledData.tinyLlamaModel(), TestDevices.device(),
                PaperPrompts.Style.MMLU.format());
             LoraEnsemble e = b.trainEnsemble().members(2).seed(SEED).lora(LORA).training(TRAINING)
                     .checkpoints(oracle).run(train).ensemble()) {
            e.save(oracleFinal);
        }
    }

    @AfterAll
    static void clearEvents() {
        EVENTS.clear();
    }

    private static SparkEnsembleTraining.Builder training() {
        return SparkEnsembleTraining.builder(spec).members(2).seed(SEED).lora(LORA).training(TRAINING);
    }

    @Test
    void tasksTrainTheSequentialMembersAndARerunTrainsNothing(@TempDir Path tmp) {
        Path out = tmp.resolve("ensemble");
        Path fin = tmp.resolve("ensemble-final");
        SparkEnsembleTraining.Result r = training().finalEnsemble(fin).build()
                .train(SparkTests.session(), train, out);

        assertThat(r.members()).extracting(SparkMemberResult::member).containsExactly(0, 1);
        assertThat(r.members()).extracting(SparkMemberResult::seed).containsExactly(SEED, SEED + 1);
        assertThat(r.members()).allSatisfy(m -> {
            assertThat(m.epochs()).isEqualTo(2);
            assertThat(m.resumedFromEpoch()).isZero();
            assertThat(m.alreadyFinished()).isFalse();
            assertThat(m.finalCheckpoint()).isEqualTo(EnsembleTrainer.memberDir(out, m.member())
                    .resolve("epoch-002").toString());
        });
        RunFolders.assertSameRun(oracle, out);
        RunFolders.assertSameRun(oracleFinal, fin);
        // the comparison discriminates: the two members' weights differ
        assertThat(RunFolders.bytes(oracle.resolve("member-00/epoch-002/adapter_model.safetensors")))
                .isNotEqualTo(RunFolders.bytes(oracle.resolve("member-01/epoch-002/adapter_model.safetensors")));
        assertThat(r.finalEnsemble()).contains(fin);
        BayesLora model = spec.shared();
        try (LoraEnsemble loaded = LoraEnsemble.load(fin, model.model(), model.answers(train))) {
            assertThat(loaded.size()).isEqualTo(2);
        }

        // a rerun finds both members finished: nothing is trained, no member file changes
        Map<String, ?> before = RunFolders.modificationTimes(out);
        SparkEnsembleTraining.Result again = training().build().train(SparkTests.session(), train, out);
        assertThat(again.members()).allSatisfy(m -> {
            assertThat(m.alreadyFinished()).isTrue();
            assertThat(m.resumedFromEpoch()).isEqualTo(2);
        });
        assertThat(again.members()).extracting(SparkMemberResult::trainLosses)
                .isEqualTo(r.members().stream().map(SparkMemberResult::trainLosses).toList());
        assertThat(RunFolders.modificationTimes(out)).isEqualTo(before);
        RunFolders.assertSameRun(oracle, out);
    }

    /** Fails member 0's first attempt right after its epoch-1 checkpoint; records every start and epoch. */
    private static final class FailOnce implements SparkTrainingListener {
        private static final long serialVersionUID = 1L;

        @Override
        public void memberStarted(int member, int attempt, int resumedFromEpoch) {
            EVENTS.add("start member " + member + " attempt " + attempt + " after epoch " + resumedFromEpoch);
        }

        @Override
        public void epochEnded(int member, int attempt, EpochSummary summary) {
            EVENTS.add("epoch " + summary.epoch() + " member " + member + " attempt " + attempt);
            if (member == 0 && attempt == 0 && summary.epoch() == 1) {
                throw new IllegalStateException("injected failure after member 0's epoch-1 checkpoint");
            }
        }
    }

    @Test
    void aFailedTaskIsRetriedAndResumesFromItsCheckpoint(@TempDir Path tmp) {
        Path out = tmp.resolve("ensemble");
        EVENTS.clear();
        // the questions as a DataFrame this time (McqaFrames rows, three partitions): the same run
        var session = SparkTests.session();
        SparkEnsembleTraining.Result r = training().listener(new FailOnce()).build()
                .train(session, McqaFrames.toFrame(session, train, 3), train.source(), out);

        SparkMemberResult m0 = r.members().get(0);
        assertThat(m0.attempt()).isEqualTo(1);
        assertThat(m0.resumedFromEpoch()).isEqualTo(1);
        assertThat(m0.epochs()).isEqualTo(2); // the whole history: epoch 1 from the checkpoint
        assertThat(r.members().get(1).attempt()).isZero();
        assertThat(EVENTS).contains("start member 0 attempt 0 after epoch 0", "epoch 1 member 0 attempt 0",
                "start member 0 attempt 1 after epoch 1", "epoch 2 member 0 attempt 1");
        assertThat(EVENTS).doesNotContain("epoch 1 member 0 attempt 1", "epoch 2 member 0 attempt 0");
        RunFolders.assertSameRun(oracle, out);
    }

    @Test
    void badInputFailsOnTheDriverWithSpecificErrors(@TempDir Path tmp) throws IOException {
        var session = SparkTests.session();
        var empty = session.createDataFrame(List.<Row>of(), McqaFrames.SCHEMA);
        assertThatThrownBy(() -> training().build().train(session, empty, "table questions", tmp.resolve("a")))
                .isInstanceOf(EmptyDatasetException.class).hasMessageContaining("table questions");
        assertThat(tmp.resolve("a")).doesNotExist();

        Path foreign = tmp.resolve("b");
        Files.createDirectories(foreign.resolve("member-00"));
        Path notes = Files.writeString(foreign.resolve("member-00/notes.txt"), "mine");
        assertThatThrownBy(() -> training().build().train(SparkTests.session(), train, foreign))
                .isInstanceOf(OutputConflictException.class).hasMessageContaining(notes.toString());
        assertThat(notes).hasContent("mine");

        assertThatThrownBy(() -> training().build().train(SparkTests.session(), train, Path.of("hdfs://nn/x")))
                .hasMessageContaining("Hadoop URI");
    }

    @Test
    void aTaskErrorReachesTheCallerUnwrapped(@TempDir Path tmp) throws IOException {
        // checkpoints of another run (another learning rate): each task refuses them; Spark retries, then fails
        Path out = tmp.resolve("ensemble");
        Path ck = EnsembleTrainer.memberDir(out, 0);
        Files.createDirectories(out);
        copy(EnsembleTrainer.memberDir(oracle, 0), ck);
        assertThatThrownBy(() -> training().members(1)
                .training(TRAINING.toBuilder().learningRate(2e-3).build()).build()
                .train(SparkTests.session(), train, out))
                .isInstanceOf(TrainerStateException.class).hasMessageContaining("learning_rate");
    }

    private static void copy(Path from, Path to) throws IOException {
        try (var s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
