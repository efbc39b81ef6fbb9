package ai.bayeslora.lora.ensemble;

import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.lora.train.TrainingConfig;
import ai.bayeslora.lora.train.TrainingListener;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * A deep-ensemble training run described by name rather than by position: the fluent form of
 * {@link EnsembleTrainer#train} and {@link EnsembleTrainer#resume} (docs/API.md, "Training an ensemble").
 *
 * <pre>{@code
 * EnsembleTrainer.Result r = EnsembleTrainingRun.on(model, batcher)
 *         .members(5).epochs(3).lora(loraConfig).training(trainingConfig)
 *         .validation(valSet).checkpoints(runDir)
 *         .run(trainSet);
 * }</pre>
 *
 * Every setting has a default, so {@code on(model, batcher).run(trainSet)} trains a 5-member ensemble with the
 * defaults of {@link LoraConfig} and {@link TrainingConfig}. The run is exactly the one {@link EnsembleTrainer} runs
 * with the same settings: this class only gathers the arguments. A run object is a mutable builder; {@link #run}
 * and {@link #resume} may be called more than once (each call trains anew).
 */
public final class EnsembleTrainingRun {
    /** The default number of members, M = 5, as in Lakshminarayanan et al. and Balabanov &amp; Linander 2024. */
    public static final int DEFAULT_MEMBERS = 5;

    private final CausalLM model;
    private final McqaBatcher batcher;
    /** Members M; default {@link #DEFAULT_MEMBERS}. */
    private int members = DEFAULT_MEMBERS;
    /** Member m's seed is {@code baseSeed + m}; default 0. */
    private long baseSeed;
    /** The adapter layout; default {@code LoraConfig.builder().build()}. */
    private LoraConfig lora = LoraConfig.builder().build();
    /** The training configuration; default {@link TrainingConfig#defaults()}. */
    private TrainingConfig training = TrainingConfig.defaults();
    /** Replaces the training configuration's epochs when set; default unset. */
    private Integer epochs;
    /** Default {@link EnsembleTrainingMode#SEQUENTIAL}. */
    private EnsembleTrainingMode mode = EnsembleTrainingMode.SEQUENTIAL;
    /** Default: no validation set. */
    private McqaDataset validation;
    /** Default: no checkpoints (nothing written). */
    private Path checkpoints;
    /** Default: the training set's classes, encoded with the batcher's prompt format's answer prefix. */
    private AnswerTokens answers;
    /** Default {@link EnsembleOptions#defaults()}. */
    private EnsembleOptions options = EnsembleOptions.defaults();
    /** Default: no listeners. */
    private IntFunction<TrainingListener> listeners = m -> null;

    private EnsembleTrainingRun(CausalLM model, McqaBatcher batcher) {
        this.model = Objects.requireNonNull(model, "model");
        this.batcher = Objects.requireNonNull(batcher, "batcher");
    }

    /**
     * A run on {@code model} whose examples are encoded by {@code batcher}, with every setting at its default.
     *
     * @param model the shared frozen base model
     * @param batcher the tokenizer, prompt format and batching of the training data
     * @return a new run description
     */
    public static EnsembleTrainingRun on(CausalLM model, McqaBatcher batcher) {
        return new EnsembleTrainingRun(model, batcher);
    }

    /**
     * Sets the number of members.
     *
     * @param m M ≥ 1 (default {@value #DEFAULT_MEMBERS})
     * @return this run
     * @throws IllegalArgumentException if {@code m < 1}
     */
    public EnsembleTrainingRun members(int m) {
        if (m < 1) {
            throw new IllegalArgumentException("an ensemble needs M >= 1 members, got " + m);
        }
        this.members = m;
        return this;
    }

    /**
     * Sets the base seed: member m uses {@code seed + m} for its A initialisation and dropout (and data order in
     * SEQUENTIAL mode; docs/METHODS.md §4).
     *
     * @param seed the base seed (default 0)
     * @return this run
     */
    public EnsembleTrainingRun seed(long seed) {
        this.baseSeed = seed;
        return this;
    }

    /**
     * Sets the adapter layout of every member.
     *
     * @param config the LoRA configuration (default {@code LoraConfig.builder().build()})
     * @return this run
     */
    public EnsembleTrainingRun lora(LoraConfig config) {
        this.lora = Objects.requireNonNull(config, "lora");
        return this;
    }

    /**
     * Sets the training configuration; its seed is replaced per member, its epochs by {@link #epochs(int)} if that
     * is set (in either order).
     *
     * @param config the training configuration (default {@link TrainingConfig#defaults()})
     * @return this run
     */
    public EnsembleTrainingRun training(TrainingConfig config) {
        this.training = Objects.requireNonNull(config, "training");
        return this;
    }

    /**
     * Sets the number of epochs, overriding the training configuration's.
     *
     * @param n epochs ≥ 1
     * @return this run
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public EnsembleTrainingRun epochs(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("epochs must be at least 1, got " + n);
        }
        this.epochs = n;
        return this;
    }

    /**
     * The schedule.
     *
     * @return SEQUENTIAL (default) or INTERLEAVED
     */
    public EnsembleTrainingMode mode() {
        return mode;
    }

    /**
     * Sets the schedule.
     *
     * @param value SEQUENTIAL (default) or INTERLEAVED
     * @return this run
     */
    public EnsembleTrainingRun mode(EnsembleTrainingMode value) {
        this.mode = Objects.requireNonNull(value, "mode");
        return this;
    }

    /**
     * Sets a labelled validation set, evaluated after each epoch (early stopping, best epoch).
     *
     * @param set the validation data, or null for none (the default)
     * @return this run
     */
    public EnsembleTrainingRun validation(McqaDataset set) {
        this.validation = set;
        return this;
    }

    /**
     * Sets the folder that receives the {@code member-MM/epoch-EEE} checkpoints.
     *
     * @param dir the run folder, or null for no checkpoints (the default)
     * @return this run
     */
    public EnsembleTrainingRun checkpoints(Path dir) {
        this.checkpoints = dir;
        return this;
    }

    /**
     * Sets the class set the returned ensemble scores.
     *
     * @param tokens the answer tokens, or null for the default (the training set's classes with the batcher's
     *     prompt-format answer prefix)
     * @return this run
     */
    public EnsembleTrainingRun answers(AnswerTokens tokens) {
        this.answers = tokens;
        return this;
    }

    /**
     * Sets the returned ensemble's inference options.
     *
     * @param value the options (default {@link EnsembleOptions#defaults()})
     * @return this run
     */
    public EnsembleTrainingRun options(EnsembleOptions value) {
        this.options = Objects.requireNonNull(value, "options");
        return this;
    }

    /**
     * Sets a listener per member (for example a SWAG collector per member for MultiSWAG).
     *
     * @param perMember member index → its listener, or null for none
     * @return this run
     */
    public EnsembleTrainingRun listeners(IntFunction<TrainingListener> perMember) {
        this.listeners = Objects.requireNonNull(perMember, "listeners");
        return this;
    }

    /**
     * The trainer these settings describe (for its seeds and folder layout, or for the positional API).
     *
     * @return a new trainer
     */
    public EnsembleTrainer trainer() {
        TrainingConfig t = epochs == null ? training : training.toBuilder().epochs(epochs).build();
        return new EnsembleTrainer(lora, t, members, baseSeed).mode(mode).withListeners(listeners);
    }

    /**
     * Trains every member from scratch (as {@link EnsembleTrainer#train}).
     *
     * @param train the labelled training data
     * @return the members' results and the ensemble of their final adapters (close it)
     */
    public EnsembleTrainer.Result run(McqaDataset train) {
        return trainer().train(model, batcher, answersFor(train), train, Optional.ofNullable(validation), checkpoints,
                options);
    }

    /**
     * Continues the run in the {@link #checkpoints(Path)} folder from each member's latest checkpoint (as
     * {@link EnsembleTrainer#resume}).
     *
     * @param train the labelled training data of the original run
     * @return the members' results (whole histories) and the ensemble
     * @throws IllegalStateException if no checkpoint folder was set
     */
    public EnsembleTrainer.Result resume(McqaDataset train) {
        if (checkpoints == null) {
            throw new IllegalStateException("resume needs the run folder: set checkpoints(dir)");
        }
        return trainer().resume(model, batcher, answersFor(train), train, Optional.ofNullable(validation),
                checkpoints, options);
    }

    private AnswerTokens answersFor(McqaDataset train) {
        Objects.requireNonNull(train, "train");
        return answers != null ? answers
                : AnswerTokens.of(batcher.tokenizer(), train.classLabels(), batcher.template().answerPrefix());
    }
}
