package ai.bayeslora.lora.ensemble;

import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.lora.train.LoraTrainer;
import ai.bayeslora.lora.train.TrainingConfig;
import ai.bayeslora.lora.train.TrainingListener;
import ai.bayeslora.lora.train.TrainingResult;
import ai.bayeslora.lora.train.internal.Checkpoints;
import ai.bayeslora.lora.train.internal.TrainerState;
import ai.bayeslora.lora.train.internal.TrainingRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a deep ensemble of M LoRA adapters on one frozen base model (docs/METHODS.md §4): member m gets its own seed
 * {@code baseSeed + m} for the A initialisation and the LoRA dropout masks, and its own output folder
 * {@code member-MM/} with per-epoch checkpoints (the per-epoch evolution is part of the science: epoch 1 underfits,
 * 3 is best, 6 and 10 overfit in Balabanov &amp; Linander 2024).
 *
 * <p>Two schedules ({@link #mode(EnsembleTrainingMode)}), one training loop (the one {@link LoraTrainer} runs for a
 * single adapter):
 * <ul>
 *   <li>{@link EnsembleTrainingMode#SEQUENTIAL} (default): members are trained one after another by
 *       {@link LoraTrainer}; member m's data order also comes from {@code baseSeed + m}. Memory is one model plus one
 *       member's training state at a time.</li>
 *   <li>{@link EnsembleTrainingMode#INTERLEAVED}: all members train together, one stacked forward and backward per
 *       step for all of them. Objective, optimizer, schedule, clipping and early stopping are per member exactly as
 *       in {@link LoraTrainer}, so a member's run equals a lone run with the same init seed, dropout stream and data
 *       order, up to rounding; a member that stops early leaves the stacked forward. <b>The difference from
 *       SEQUENTIAL:</b> the data order is shared, the one member 0 uses (seed {@code baseSeed}); diversity comes from
 *       the A initialisation and dropout only. Member 0 of both modes is therefore the same run.</li>
 * </ul>
 * {@link #resume} continues a crashed run of either mode from the members' latest checkpoints.
 *
 * <p>{@link EnsembleTrainingRun} (or {@code BayesLora.trainEnsemble()}) describes the same run with named settings
 * and defaults instead of the positional arguments of {@link #train} and {@link #resume}.
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

    /**
     * A listener per member (e.g. SWAG collection for MultiSWAG).
     *
     * @param perMember member index → its listener, or null for none
     * @return this trainer
     */
    public EnsembleTrainer withListeners(IntFunction<TrainingListener> perMember) {
        this.listeners = Objects.requireNonNull(perMember);
        return this;
    }

    /**
     * Sets the training schedule (default {@link EnsembleTrainingMode#SEQUENTIAL}).
     *
     * @param value the schedule
     * @return this trainer
     */
    public EnsembleTrainer mode(EnsembleTrainingMode value) {
        this.mode = Objects.requireNonNull(value, "mode");
        return this;
    }

    /** {@return the training schedule} */
    public EnsembleTrainingMode mode() {
        return mode;
    }

    /** {@return the adapter layout of every member} */
    public LoraConfig lora() {
        return lora;
    }

    /** {@return the training configuration (its seed is replaced per member)} */
    public TrainingConfig training() {
        return training;
    }

    /** {@return the base seed: member m uses {@code baseSeed + m}} */
    public long baseSeed() {
        return baseSeed;
    }

    /** {@return the number of members M} */
    public int members() {
        return members;
    }

    /**
     * The seed of member m's data order: {@code seed(m)} in SEQUENTIAL mode, the shared {@code seed(0)} in
     * INTERLEAVED mode.
     *
     * @param member m
     * @return the seed
     */
    public long dataOrderSeed(int member) {
        return mode == EnsembleTrainingMode.INTERLEAVED ? seed(0) : seed(member);
    }

    /**
     * The seed of member m (A initialisation and dropout; data order too in SEQUENTIAL mode).
     *
     * @param member m
     * @return {@code baseSeed + m}
     */
    public long seed(int member) {
        return baseSeed + member;
    }

    /**
     * Output folder of member m under {@code outputDir}.
     *
     * @param outputDir the ensemble's folder
     * @param member m
     * @return {@code outputDir/member-MM}
     */
    public static Path memberDir(Path outputDir, int member) {
        return outputDir.resolve(String.format("member-%02d", member));
    }

    /**
     * The result: per-member training results and the ensemble of the members' final adapters.
     *
     * @param members per member its training result
     * @param ensemble the trained ensemble (owns the adapters; close it)
     */
    public record Result(List<TrainingResult> members, LoraEnsemble ensemble) {
    }

    /**
     * Trains every member from scratch and returns the ensemble of their final adapters. Folders of an earlier run
     * are overwritten epoch by epoch; continue a crashed run with {@link #resume} instead.
     *
     * @param model the shared base model
     * @param batcher tokenizer, template and batching
     * @param answers the class set the ensemble scores (the training data's classes)
     * @param train labelled training data
     * @param validation validation data, if any
     * @param outputDir parent of the {@code member-MM/} folders, or null for no checkpoints
     * @param options the returned ensemble's inference options
     * @return the members' results and the ensemble
     * @throws ai.bayeslora.lora.train.TrainingDivergedException if a member's loss or gradient becomes NaN or
     *     infinite (the message names the member; in INTERLEAVED mode no member's step is applied)
     */
    public Result train(CausalLM model, McqaBatcher batcher, AnswerTokens answers, McqaDataset train,
                        Optional<McqaDataset> validation, Path outputDir, EnsembleOptions options) {
        return run(model, batcher, answers, train, validation, outputDir, options, false);
    }

    /**
     * Continues a run in {@code outputDir} from each member's latest checkpoint: parameters, optimizer state, dropout
     * stream, step counters, metric history and early-stopping state, then trains what remains. A member that has
     * finished (its last epoch, or stopped early) is only loaded; a member with no checkpoint starts from scratch.
     * INTERLEAVED members continue together from the latest epoch that every member still training has; if some
     * member has no checkpoint at all, the whole interleaved run starts again. This trainer and the arguments must
     * describe the same run (checked per member as in {@link LoraTrainer#resume}).
     *
     * @param outputDir the folder of the run to continue
     * @param model the shared base model
     * @param batcher tokenizer, template and batching
     * @param answers the class set the ensemble scores (the training data's classes)
     * @param train labelled training data
     * @param validation validation data, if any
     * @param options the returned ensemble's inference options
     * @return the members' results (whole histories) and the ensemble
     * @throws ai.bayeslora.lora.train.TrainerStateException if a checkpoint does not fit
     */
    public Result resume(CausalLM model, McqaBatcher batcher, AnswerTokens answers, McqaDataset train,
                         Optional<McqaDataset> validation, Path outputDir, EnsembleOptions options) {
        Objects.requireNonNull(outputDir, "outputDir");
        return run(model, batcher, answers, train, validation, outputDir, options, true);
    }

    private Result run(CausalLM model, McqaBatcher batcher, AnswerTokens answers, McqaDataset train,
                       Optional<McqaDataset> validation, Path outputDir, EnsembleOptions options, boolean resume) {
        List<LoraAdapter> adapters = new ArrayList<>();
        try {
            List<TrainingResult> results = mode == EnsembleTrainingMode.INTERLEAVED
                    ? interleaved(model, batcher, train, validation, outputDir, resume, adapters)
                    : sequential(model, batcher, train, validation, outputDir, resume, adapters);
            return new Result(results, ensemble(model, answers, options, adapters));
        } catch (RuntimeException e) {
            adapters.forEach(LoraAdapter::close);
            throw e;
        }
    }

    private List<TrainingResult> sequential(CausalLM model, McqaBatcher batcher, McqaDataset train,
                                            Optional<McqaDataset> validation, Path outputDir, boolean resume,
                                            List<LoraAdapter> adapters) {
        List<TrainingResult> results = new ArrayList<>();
        for (int m = 0; m < members; m++) {
            MemberRun r = trainMember(m, model, batcher, train, validation, outputDir, resume);
            adapters.add(r.adapter());
            results.add(r.result());
        }
        return results;
    }

    /**
     * One member of a SEQUENTIAL run: what {@link #train} and {@link #resume} do for member m, by themselves (they call
     * this for each member in turn; lib-spark runs it as one Spark task per member).
     *
     * @param adapter the trained (or loaded) adapter; the caller closes it
     * @param result the member's training result (its whole history when resumed)
     * @param resumedFromEpoch the checkpoint's epoch the run continued from, 0 for a fresh start
     * @param alreadyFinished whether the checkpoint was the member's last (nothing was trained, nothing written)
     */
    public record MemberRun(LoraAdapter adapter, TrainingResult result, int resumedFromEpoch,
                            boolean alreadyFinished) {
    }

    /**
     * Trains member m as {@link EnsembleTrainingMode#SEQUENTIAL} does: seed {@link #seed(int)} for the A
     * initialisation, dropout and data order, checkpoints in {@link #memberDir}{@code (outputDir, m)}. With
     * {@code resume} it continues from the member's latest checkpoint (a finished member is only loaded).
     *
     * @param member m, 0 ≤ m &lt; M
     * @param model the shared base model
     * @param batcher tokenizer, template and batching
     * @param train labelled training data
     * @param validation validation data, if any
     * @param outputDir the ensemble's folder (parent of {@code member-MM/}), or null for no checkpoints
     * @param resume whether to continue from the member's latest checkpoint, if it has one
     * @return the member's adapter (close it) and result
     * @throws IllegalStateException in INTERLEAVED mode, whose members train together
     * @throws ai.bayeslora.lora.train.TrainerStateException if a checkpoint does not fit
     */
    public MemberRun trainMember(int member, CausalLM model, McqaBatcher batcher, McqaDataset train,
                                 Optional<McqaDataset> validation, Path outputDir, boolean resume) {
        if (mode != EnsembleTrainingMode.SEQUENTIAL) {
            throw new IllegalStateException("trainMember runs one member of a SEQUENTIAL ensemble; INTERLEAVED "
                    + "members train together (train or resume)");
        }
        if (member < 0 || member >= members) {
            throw new IllegalArgumentException("member " + member + " of an ensemble of " + members);
        }
        long seed = seed(member);
        LoraAdapter adapter = LoraAdapter.create(model, lora, seed);
        try {
            LoraTrainer trainer = new LoraTrainer(training.toBuilder().seed(seed).build());
            TrainingListener l = listeners.apply(member);
            if (l != null) {
                trainer = trainer.withListener(l);
            }
            Path dir = outputDir == null ? null : memberDir(outputDir, member);
            int last = resume && dir != null ? Checkpoints.latestEpoch(dir) : 0;
            if (last > 0) {
                Path ck = dir.resolve(Checkpoints.folderName(last));
                TrainerState.Meta meta = TrainerState.readMeta(ck);
                boolean finished = meta.stoppedEarly() || meta.epoch() >= training.epochs()
                        || meta.globalStep() >= meta.totalSteps();
                if (finished) {
                    LOG.info("Ensemble member {} (seed {}): finished at epoch {}; loading {}", member, seed,
                            meta.epoch(), ck);
                } else {
                    LOG.info("Ensemble member {} (seed {}): continues from {}", member, seed, ck);
                }
                return new MemberRun(adapter, trainer.resume(ck, adapter, batcher, train, validation, dir), last,
                        finished);
            }
            LOG.info("Ensemble member {} of {} (seed {}){}", member, members, seed,
                    resume ? ": no checkpoint yet" : "");
            return new MemberRun(adapter, trainer.train(adapter, batcher, train, validation, dir), 0, false);
        } catch (RuntimeException e) {
            adapter.close();
            throw e;
        }
    }

    private List<TrainingResult> interleaved(CausalLM model, McqaBatcher batcher, McqaDataset train,
                                             Optional<McqaDataset> validation, Path outputDir, boolean resume,
                                             List<LoraAdapter> adapters) {
        List<TrainingRun.MemberSpec> specs = new ArrayList<>();
        for (int m = 0; m < members; m++) {
            LoraAdapter a = LoraAdapter.create(model, lora, seed(m));
            adapters.add(a);
            TrainingListener l = listeners.apply(m);
            specs.add(new TrainingRun.MemberSpec(a, seed(m), outputDir == null ? null : memberDir(outputDir, m),
                    l == null ? List.of() : List.of(l), "ensemble member " + m + " (seed " + seed(m) + "): "));
        }
        List<Path> checkpoints = resume ? latestCheckpoints(outputDir) : null;
        try (TrainingRun run = new TrainingRun(specs, training.toBuilder().seed(dataOrderSeed(0)).build(), batcher,
                train, validation)) {
            if (checkpoints != null) {
                LOG.info("Continuing the interleaved run from {}", checkpoints.stream()
                        .map(p -> outputDir.relativize(p).toString()).toList());
                run.restore(checkpoints);
            } else {
                if (resume) {
                    LOG.info("Not every member of {} has a checkpoint: training all {} members again", outputDir,
                            members);
                }
                run.start();
            }
            return run.loop();
        }
    }

    /**
     * Per member the checkpoint an interleaved run continues from: a member that stopped early keeps its own last
     * one; the others continue from the latest epoch all of them have. Null when some member has none.
     */
    private List<Path> latestCheckpoints(Path outputDir) {
        int[] last = new int[members];
        boolean[] stopped = new boolean[members];
        int common = Integer.MAX_VALUE;
        for (int m = 0; m < members; m++) {
            Path dir = memberDir(outputDir, m);
            last[m] = Checkpoints.latestEpoch(dir);
            if (last[m] == 0) {
                return null;
            }
            stopped[m] = TrainerState.readMeta(dir.resolve(Checkpoints.folderName(last[m]))).stoppedEarly();
            if (!stopped[m]) {
                common = Math.min(common, last[m]);
            }
        }
        List<Path> out = new ArrayList<>();
        for (int m = 0; m < members; m++) {
            int epoch = stopped[m] ? last[m] : common;
            Path ck = memberDir(outputDir, m).resolve(Checkpoints.folderName(epoch));
            if (!Files.isDirectory(ck)) {
                return null; // no common epoch (checkpoints only at the end): start again
            }
            out.add(ck);
        }
        return out;
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
