package ai.bayeslora.lora.ensemble;

import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.lora.ensemble.internal.InterleavedRun;
import ai.bayeslora.lora.train.LoraTrainer;
import ai.bayeslora.lora.train.TrainingConfig;
import ai.bayeslora.lora.train.TrainingListener;
import ai.bayeslora.lora.train.TrainingResult;
import ai.bayeslora.lora.train.internal.Checkpoints;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a deep ensemble of M LoRA adapters on one frozen base model (METHODS.md §4): member m gets its own seed
 * {@code baseSeed + m} for the A initialisation and the LoRA dropout masks, and its own output folder
 * {@code member-MM/} with per-epoch checkpoints (the per-epoch evolution is part of the science: epoch 1 underfits,
 * 3 is best, 6 and 10 overfit in Balabanov &amp; Linander 2024).
 *
 * <p>Two schedules ({@link #mode(EnsembleTrainingMode)}):
 * <ul>
 *   <li>{@link EnsembleTrainingMode#SEQUENTIAL} (default): members are trained one after another by
 *       {@link LoraTrainer}; member m's data order also comes from {@code baseSeed + m}. The base weights are
 *       shared, so memory is one model plus one member's training state at a time.</li>
 *   <li>{@link EnsembleTrainingMode#INTERLEAVED}: all members train together, one stacked forward and backward per
 *       step for all of them (issue 3 §4). Objective, optimizer, schedule and clipping are per member exactly as in
 *       {@link LoraTrainer} (clipping uses each member's own global gradient norm), so a member's run equals a
 *       sequential run with the same init seed, dropout stream and data order, up to rounding. <b>The difference
 *       from SEQUENTIAL:</b> the data order is shared, the one member 0 uses (seed {@code baseSeed}); diversity
 *       comes from the A initialisation and dropout only. Member 0 of both modes is therefore the same run.
 *       Early stopping is not supported (all members share every step); pick epoch checkpoints instead. A crashed
 *       interleaved run continues with {@link #resume}; a single member's checkpoint can also be continued alone by
 *       {@link LoraTrainer#resume} with the config's seed set to {@code baseSeed}.</li>
 * </ul>
 */
public final class EnsembleTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(EnsembleTrainer.class);

    private final LoraConfig lora;
    private final TrainingConfig training;
    private final int members;
    private final long baseSeed;
    private IntFunction<TrainingListener> listeners = m -> null;
    private EnsembleTrainingMode mode = EnsembleTrainingMode.SEQUENTIAL;

    /**
     * @param lora the adapter layout of every member
     * @param training the training configuration; its seed is replaced by {@code baseSeed + m} per member
     * @param members M ≥ 1
     * @param baseSeed member m uses seed {@code baseSeed + m}
     */
    public EnsembleTrainer(LoraConfig lora, TrainingConfig training, int members, long baseSeed) {
        if (members < 1) {
            throw new IllegalArgumentException("an ensemble needs M >= 1 members, got " + members);
        }
        this.lora = Objects.requireNonNull(lora, "lora");
        this.training = Objects.requireNonNull(training, "training");
        this.members = members;
        this.baseSeed = baseSeed;
    }

    /** A listener per member (e.g. SWAG collection for MultiSWAG); null entries mean none. */
    public EnsembleTrainer withListeners(IntFunction<TrainingListener> perMember) {
        this.listeners = Objects.requireNonNull(perMember);
        return this;
    }

    /** Sets the training schedule (default {@link EnsembleTrainingMode#SEQUENTIAL}). */
    public EnsembleTrainer mode(EnsembleTrainingMode value) {
        this.mode = Objects.requireNonNull(value, "mode");
        return this;
    }

    /** The training schedule. */
    public EnsembleTrainingMode mode() {
        return mode;
    }

    /**
     * The seed of member m's data order: {@code seed(m)} in SEQUENTIAL mode, the shared {@code seed(0)} in
     * INTERLEAVED mode.
     */
    public long dataOrderSeed(int member) {
        return mode == EnsembleTrainingMode.INTERLEAVED ? seed(0) : seed(member);
    }

    /** The seed of member m (A initialisation and dropout; data order too in SEQUENTIAL mode). */
    public long seed(int member) {
        return baseSeed + member;
    }

    /** Output folder of member m under {@code outputDir}. */
    public static Path memberDir(Path outputDir, int member) {
        return outputDir.resolve(String.format("member-%02d", member));
    }

    /** The result: per-member training results and the ensemble of the members' final adapters. */
    public record Result(List<TrainingResult> members, LoraEnsemble ensemble) {
    }

    /**
     * Trains every member and returns the ensemble of their final adapters (owned by the returned ensemble; close it).
     * A member whose folder already holds a finished run is trained again from scratch; resume a sequential member
     * with {@link LoraTrainer#resume}, an interleaved run with {@link #resume}.
     *
     * @param answers the class set the ensemble scores (the training data's classes)
     * @param outputDir parent of the {@code member-MM/} folders, or null for no checkpoints
     * @throws ai.bayeslora.lora.train.TrainingDivergedException if a member's loss or gradient becomes NaN or
     *     infinite (INTERLEAVED: the message names the member; no member's step is applied)
     */
    public Result train(CausalLM model, McqaBatcher batcher, AnswerTokens answers, McqaDataset train,
                        Optional<McqaDataset> validation, Path outputDir, EnsembleOptions options) {
        if (mode == EnsembleTrainingMode.INTERLEAVED) {
            return interleaved(model, batcher, answers, train, validation, outputDir, options, OptionalInt.empty());
        }
        List<TrainingResult> results = new ArrayList<>();
        List<LoraAdapter> adapters = new ArrayList<>();
        try {
            for (int m = 0; m < members; m++) {
                long seed = seed(m);
                LOG.info("Ensemble member {}/{} (seed {})", m + 1, members, seed);
                LoraAdapter adapter = LoraAdapter.create(model, lora, seed);
                adapters.add(adapter);
                adapter.attach();
                LoraTrainer trainer = new LoraTrainer(training.toBuilder().seed(seed).build());
                TrainingListener l = listeners.apply(m);
                if (l != null) {
                    trainer = trainer.withListener(l);
                }
                results.add(trainer.train(adapter, batcher, train, validation,
                        outputDir == null ? null : memberDir(outputDir, m)));
                adapter.detach();
            }
            return new Result(results, ensemble(model, answers, options, adapters));
        } catch (RuntimeException e) {
            adapters.forEach(LoraAdapter::close);
            throw e;
        }
    }

    /**
     * Continues an INTERLEAVED run after epoch {@code epoch} from {@code outputDir/member-MM/epoch-NNN} of every
     * member: parameters, optimizer state, dropout streams, step counters and metric history, then trains the
     * remaining epochs. The arguments and this trainer must describe the same run (checked per member as in
     * {@link LoraTrainer#resume}). SEQUENTIAL members are resumed one by one with {@link LoraTrainer#resume}.
     *
     * @throws IllegalStateException in SEQUENTIAL mode, or if the members' checkpoints are of different steps
     * @throws ai.bayeslora.lora.train.TrainerStateException if a checkpoint does not fit
     */
    public Result resume(CausalLM model, McqaBatcher batcher, AnswerTokens answers, McqaDataset train,
                         Optional<McqaDataset> validation, Path outputDir, int epoch, EnsembleOptions options) {
        if (mode != EnsembleTrainingMode.INTERLEAVED) {
            throw new IllegalStateException("EnsembleTrainer.resume continues INTERLEAVED runs; resume a SEQUENTIAL"
                    + " member with LoraTrainer.resume(memberDir(outputDir, m).resolve(\"epoch-NNN\"), ...) and seed "
                    + "seed(m)");
        }
        Objects.requireNonNull(outputDir, "outputDir");
        return interleaved(model, batcher, answers, train, validation, outputDir, options, OptionalInt.of(epoch));
    }

    private Result interleaved(CausalLM model, McqaBatcher batcher, AnswerTokens answers, McqaDataset train,
                               Optional<McqaDataset> validation, Path outputDir, EnsembleOptions options,
                               OptionalInt resumeEpoch) {
        List<LoraAdapter> adapters = new ArrayList<>();
        try {
            List<Long> seeds = new ArrayList<>();
            List<Path> dirs = outputDir == null ? null : new ArrayList<>();
            List<TrainingListener> ls = new ArrayList<>();
            for (int m = 0; m < members; m++) {
                adapters.add(LoraAdapter.create(model, lora, seed(m)));
                seeds.add(seed(m));
                if (dirs != null) {
                    dirs.add(memberDir(outputDir, m));
                }
                ls.add(listeners.apply(m));
            }
            List<TrainingResult> results;
            try (InterleavedRun run = new InterleavedRun(model, adapters, seeds,
                    training.toBuilder().seed(dataOrderSeed(0)).build(), batcher, train, validation, dirs, ls)) {
                if (resumeEpoch.isPresent()) {
                    List<Path> cks = new ArrayList<>();
                    for (int m = 0; m < members; m++) {
                        cks.add(memberDir(outputDir, m).resolve(Checkpoints.folderName(resumeEpoch.getAsInt())));
                    }
                    run.restore(cks);
                } else {
                    run.start();
                }
                results = run.loop();
            }
            return new Result(results, ensemble(model, answers, options, adapters));
        } catch (RuntimeException e) {
            adapters.forEach(LoraAdapter::close);
            throw e;
        }
    }

    private LoraEnsemble ensemble(CausalLM model, AnswerTokens answers, EnsembleOptions options,
                                  List<LoraAdapter> adapters) {
        LoraEnsemble.Builder b = LoraEnsemble.builder(model, answers).options(options);
        for (int m = 0; m < members; m++) {
            b.member(adapters.get(m), seed(m));
        }
        return b.build();
    }
}
