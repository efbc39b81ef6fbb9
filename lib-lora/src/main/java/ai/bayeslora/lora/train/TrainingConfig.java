package ai.bayeslora.lora.train;

import ai.bayeslora.core.mcqa.ClassReduction;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Settings of a LoRA fine-tuning run (METHODS.md §3). Immutable; build with {@link #builder()} or start from a
 * published preset ({@link #balabanov2024()}, {@link #laplaceLora()}).
 *
 * <p><b>Objective.</b> Each optimizer step takes {@code batchSize × gradientAccumulationSteps} examples B (fewer at the
 * end of an epoch) and minimises {@code (1/|B|) Σ_{n∈B} NLL_n + penalty(θ)}, where NLL_n = −log p(y_n | x_n) under
 * {@link #reduction()} and the penalty comes from {@link #prior()} (see {@link Prior} for how this relates to the
 * full-data objective Σ_n NLL_n + (λ/2)‖θ‖²). The mean is over the whole step, so gradient accumulation does not
 * change the objective, only memory.
 *
 * <p><b>Steps.</b> An epoch has ⌈N / (batchSize × gradientAccumulationSteps)⌉ optimizer steps. The run has
 * T = min(epochs × steps per epoch, maxSteps) steps; the learning-rate schedule is laid out over T.
 *
 * @param optimizer AdamW or SGD with their settings (default {@link OptimizerConfig#adamW()})
 * @param learningRate the base learning rate (default 1e-4)
 * @param schedule the learning-rate schedule over the run (default linear decay, no warm-up: the transformers
 *     Trainer default)
 * @param maxGradNorm clip the global gradient norm ‖g‖₂ over all LoRA parameters to this value (as
 *     {@code torch.nn.utils.clip_grad_norm_}); empty for no clipping (default 1.0, the transformers Trainer default)
 * @param gradientAccumulationSteps micro-batches per optimizer step (default 1)
 * @param batchSize examples per micro-batch (default 8)
 * @param evalBatchSize examples per validation batch (default: {@code batchSize})
 * @param epochs passes over the training data (default 3)
 * @param maxSteps stop after this many optimizer steps even within an epoch (the epoch is then evaluated and
 *     checkpointed); empty for no limit (default)
 * @param seed seeds the per-epoch data order and the LoRA dropout masks (default 0). The A initialisation is seeded
 *     separately, by {@code LoraAdapter.create}.
 * @param reduction how logits become class probabilities (METHODS.md §1; default (a), answer tokens)
 * @param prior penalty added to the loss (default none)
 * @param earlyStoppingPatience stop when the validation NLL has not improved for this many epochs; needs validation
 *     data; empty for no early stopping (default)
 * @param checkpointEveryEpoch when an output folder is given, write a checkpoint after every epoch (default true);
 *     otherwise only after the last epoch
 * @param maxLength the longest prompt in tokens (prompts are truncated from the left); empty to keep the batcher's
 *     setting (default)
 * @param progressBar report progress to {@link ai.bayeslora.core.progress.Progress#defaultListener()} (bars on a
 *     terminal, SLF4J lines otherwise; default true); when off, progress goes to the SLF4J log only
 */
public record TrainingConfig(OptimizerConfig optimizer, double learningRate, LearningRateSchedule schedule,
                             OptionalDouble maxGradNorm, int gradientAccumulationSteps, int batchSize,
                             int evalBatchSize, int epochs, OptionalLong maxSteps, long seed,
                             ClassReduction reduction, Prior prior, OptionalInt earlyStoppingPatience,
                             boolean checkpointEveryEpoch, OptionalInt maxLength, boolean progressBar) {

    /**
     * Checks the settings (required fields present, sizes and counts positive).
     *
     * @param optimizer AdamW or SGD with their settings (default {@link OptimizerConfig#adamW()})
     * @param learningRate the base learning rate (default 1e-4)
     * @param schedule the learning-rate schedule over the run (default linear decay, no warm-up: the transformers
     *     Trainer default)
     * @param maxGradNorm clip the global gradient norm ‖g‖₂ over all LoRA parameters to this value (as
     *     {@code torch.nn.utils.clip_grad_norm_}); empty for no clipping (default 1.0, the transformers Trainer
     *     default)
     * @param gradientAccumulationSteps micro-batches per optimizer step (default 1)
     * @param batchSize examples per micro-batch (default 8)
     * @param evalBatchSize examples per validation batch (default: {@code batchSize})
     * @param epochs passes over the training data (default 3)
     * @param maxSteps stop after this many optimizer steps even within an epoch (the epoch is then evaluated and
     *     checkpointed); empty for no limit (default)
     * @param seed seeds the per-epoch data order and the LoRA dropout masks (default 0). The A initialisation is seeded
     *     separately, by {@code LoraAdapter.create}.
     * @param reduction how logits become class probabilities (METHODS.md §1; default (a), answer tokens)
     * @param prior penalty added to the loss (default none)
     * @param earlyStoppingPatience stop when the validation NLL has not improved for this many epochs; needs validation
     *     data; empty for no early stopping (default)
     * @param checkpointEveryEpoch when an output folder is given, write a checkpoint after every epoch (default true);
     *     otherwise only after the last epoch
     * @param maxLength the longest prompt in tokens (prompts are truncated from the left); empty to keep the batcher's
     *     setting (default)
     * @param progressBar show a progress bar on a terminal; when off or not on a terminal, progress goes to the log
     *     (default true)
     */
    public TrainingConfig {
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(maxGradNorm, "maxGradNorm");
        Objects.requireNonNull(maxSteps, "maxSteps");
        Objects.requireNonNull(reduction, "reduction");
        Objects.requireNonNull(prior, "prior");
        Objects.requireNonNull(earlyStoppingPatience, "earlyStoppingPatience");
        Objects.requireNonNull(maxLength, "maxLength");
        if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be finite and >= 0, got " + learningRate);
        }
        if (maxGradNorm.isPresent() && !(maxGradNorm.getAsDouble() > 0)) {
            throw new IllegalArgumentException("maxGradNorm must be positive, got " + maxGradNorm.getAsDouble());
        }
        positive("gradientAccumulationSteps", gradientAccumulationSteps);
        positive("batchSize", batchSize);
        positive("evalBatchSize", evalBatchSize);
        positive("epochs", epochs);
        if (maxSteps.isPresent() && maxSteps.getAsLong() < 1) {
            throw new IllegalArgumentException("maxSteps must be positive, got " + maxSteps.getAsLong());
        }
        if (earlyStoppingPatience.isPresent() && earlyStoppingPatience.getAsInt() < 1) {
            throw new IllegalArgumentException("earlyStoppingPatience must be positive, got "
                    + earlyStoppingPatience.getAsInt());
        }
        if (maxLength.isPresent() && maxLength.getAsInt() < 2) {
            throw new IllegalArgumentException("maxLength must be at least 2, got " + maxLength.getAsInt());
        }
    }

    private static void positive(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }

    /**
     * Examples per optimizer step: batchSize × gradientAccumulationSteps.
     *
     * @return the effective batch size
     */
    public int effectiveBatchSize() {
        return batchSize * gradientAccumulationSteps;
    }

    /**
     * Optimizer steps in one epoch over {@code trainSize} examples.
     *
     * @param trainSize N, the number of training examples
     * @return ⌈N / effectiveBatchSize()⌉
     */
    public long stepsPerEpoch(long trainSize) {
        return (trainSize + effectiveBatchSize() - 1) / effectiveBatchSize();
    }

    /**
     * T, the optimizer steps of the whole run over {@code trainSize} examples.
     *
     * @param trainSize N, the number of training examples
     * @return T = min(epochs × steps per epoch, maxSteps)
     */
    public long totalSteps(long trainSize) {
        long all;
        try {
            all = Math.multiplyExact(stepsPerEpoch(trainSize), (long) epochs);
        } catch (ArithmeticException e) {
            all = Long.MAX_VALUE; // "epochs unbounded": maxSteps decides
        }
        return maxSteps.isPresent() ? Math.min(all, maxSteps.getAsLong()) : all;
    }

    /**
     * {@return the learning rate of the optimizer step with 0-based index {@code step} in a run of {@code totalSteps}}
     *
     * @param step the 0-based optimizer step
     * @param totalSteps T, the run's optimizer steps
     */
    public double learningRateAt(long step, long totalSteps) {
        return learningRate * schedule.multiplier(step, totalSteps);
    }

    /**
     * {@return the Gaussian prior precision λ used in training, if the prior is Gaussian (for Laplace, METHODS.md §3,
     * §6)}
     */
    public OptionalDouble gaussianPriorPrecision() {
        return prior.gaussianPrecision();
    }

    /** {@return a builder initialised with this config's values} */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.optimizer = optimizer;
        b.learningRate = learningRate;
        b.schedule = schedule;
        b.maxGradNorm = maxGradNorm;
        b.gradientAccumulationSteps = gradientAccumulationSteps;
        b.batchSize = batchSize;
        b.evalBatchSize = OptionalInt.of(evalBatchSize);
        b.epochs = epochs;
        b.maxSteps = maxSteps;
        b.seed = seed;
        b.reduction = reduction;
        b.prior = prior;
        b.earlyStoppingPatience = earlyStoppingPatience;
        b.checkpointEveryEpoch = checkpointEveryEpoch;
        b.maxLength = maxLength;
        b.progressBar = progressBar;
        return b;
    }

    /** {@return a builder with the general defaults listed in the class comment} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the general default: {@code builder().build()}} */
    public static TrainingConfig defaults() {
        return builder().build();
    }

    /**
     * LoRA ensembles (Balabanov &amp; Linander 2024, METHODS.md §8): AdamW lr 5e-6, weight decay 0, gradient clip 0.3,
     * batch 8, 10 epochs, β = 1 on Σ‖B A‖²_F, class reduction (b) full vocabulary plus "other". METHODS.md gives no
     * schedule; this preset keeps the learning rate constant. The LoRA side of the protocol (r=8, α=32, dropout 0,
     * q_proj and v_proj) belongs to {@code LoraConfig}.
     *
     * @return the preset
     */
    public static TrainingConfig balabanov2024() {
        return builder().optimizer(OptimizerConfig.adamW(0)).learningRate(5e-6)
                .schedule(LearningRateSchedule.constant()).maxGradNorm(0.3).batchSize(8).epochs(10)
                .prior(Prior.loraProduct(1.0)).reduction(ClassReduction.FULL_VOCAB_WITH_OTHER).build();
    }

    /**
     * Laplace-LoRA (Yang et al. 2024, METHODS.md §3, §6): AdamW lr 5e-5, weight decay 0, batch 4, 10k optimizer steps,
     * MAP with the isotropic Gaussian prior θ ~ N(0, λ⁻¹ I), λ = 1 (the starting value of the paper's prior-precision
     * tuning), class reduction (a). METHODS.md gives no schedule or clipping; this preset uses the transformers
     * Trainer defaults (linear decay, clip 1.0). {@code epochs} is unbounded so that the 10k steps decide; call
     * {@code toBuilder().epochs(n)} to bound it. The LoRA side (r=8, α=16, dropout 0.1, q_proj, v_proj, lm_head)
     * belongs to {@code LoraConfig}.
     *
     * @return the preset
     */
    public static TrainingConfig laplaceLora() {
        return builder().optimizer(OptimizerConfig.adamW(0)).learningRate(5e-5).batchSize(4)
                .epochs(Integer.MAX_VALUE).maxSteps(10_000).prior(Prior.gaussian(1.0))
                .reduction(ClassReduction.ANSWER_TOKENS).build();
    }

    /** Builder; every setting starts at the default documented on {@link TrainingConfig}. */
    public static final class Builder {
        private OptimizerConfig optimizer = OptimizerConfig.adamW();
        private double learningRate = 1e-4;
        private LearningRateSchedule schedule = LearningRateSchedule.linear(0);
        private OptionalDouble maxGradNorm = OptionalDouble.of(1.0);
        private int gradientAccumulationSteps = 1;
        private int batchSize = 8;
        private OptionalInt evalBatchSize = OptionalInt.empty();
        private int epochs = 3;
        private OptionalLong maxSteps = OptionalLong.empty();
        private long seed;
        private ClassReduction reduction = ClassReduction.ANSWER_TOKENS;
        private Prior prior = Prior.none();
        private OptionalInt earlyStoppingPatience = OptionalInt.empty();
        private boolean checkpointEveryEpoch = true;
        private OptionalInt maxLength = OptionalInt.empty();
        private boolean progressBar = true;

        private Builder() {
        }

        /**
         * Sets {@link TrainingConfig#optimizer() optimizer}.
         *
         * @param value AdamW or SGD with their settings (default {@link OptimizerConfig#adamW()})
         * @return this builder
         */
        public Builder optimizer(OptimizerConfig value) {
            this.optimizer = value;
            return this;
        }

        /**
         * Sets {@link TrainingConfig#learningRate() learningRate}.
         *
         * @param value the base learning rate (default 1e-4)
         * @return this builder
         */
        public Builder learningRate(double value) {
            this.learningRate = value;
            return this;
        }

        /**
         * Sets {@link TrainingConfig#schedule() schedule}.
         *
         * @param value the learning-rate schedule over the run (default linear decay, no warm-up: the transformers
         *     Trainer default)
         * @return this builder
         */
        public Builder schedule(LearningRateSchedule value) {
            this.schedule = value;
            return this;
        }

        /**
         * Clip the global gradient norm to {@code value}.
         *
         * @param value the largest global norm ‖g‖₂, &gt; 0
         * @return this builder
         */
        public Builder maxGradNorm(double value) {
            this.maxGradNorm = OptionalDouble.of(value);
            return this;
        }

        /**
         * No gradient clipping.
         *
         * @return this builder
         */
        public Builder noGradClipping() {
            this.maxGradNorm = OptionalDouble.empty();
            return this;
        }

        /**
         * Sets {@link TrainingConfig#gradientAccumulationSteps() gradientAccumulationSteps}.
         *
         * @param value micro-batches per optimizer step (default 1)
         * @return this builder
         */
        public Builder gradientAccumulationSteps(int value) {
            this.gradientAccumulationSteps = value;
            return this;
        }

        /**
         * Sets {@link TrainingConfig#batchSize() batchSize}.
         *
         * @param value examples per micro-batch (default 8)
         * @return this builder
         */
        public Builder batchSize(int value) {
            this.batchSize = value;
            return this;
        }

        /**
         * Sets {@link TrainingConfig#evalBatchSize() evalBatchSize}.
         *
         * @param value examples per validation batch (default: {@code batchSize})
         * @return this builder
         */
        public Builder evalBatchSize(int value) {
            this.evalBatchSize = OptionalInt.of(value);
            return this;
        }

        /**
         * Sets {@link TrainingConfig#epochs() epochs}.
         *
         * @param value passes over the training data (default 3)
         * @return this builder
         */
        public Builder epochs(int value) {
            this.epochs = value;
            return this;
        }

        /**
         * Sets {@link TrainingConfig#maxSteps() maxSteps}.
         *
         * @param value stop after this many optimizer steps even within an epoch (the epoch is then evaluated and
         *     checkpointed)
         * @return this builder
         */
        public Builder maxSteps(long value) {
            this.maxSteps = OptionalLong.of(value);
            return this;
        }

        /**
         * No step limit (the default): the run ends after its epochs.
         *
         * @return this builder
         */
        public Builder noMaxSteps() {
            this.maxSteps = OptionalLong.empty();
            return this;
        }

        /**
         * Sets {@link TrainingConfig#seed() seed}.
         *
         * @param value seeds the per-epoch data order and the LoRA dropout masks (default 0). The A initialisation is
         *     seeded separately, by {@code LoraAdapter.create}.
         * @return this builder
         */
        public Builder seed(long value) {
            this.seed = value;
            return this;
        }

        /**
         * Sets {@link TrainingConfig#reduction() reduction}.
         *
         * @param value how logits become class probabilities (METHODS.md §1; default (a), answer tokens)
         * @return this builder
         */
        public Builder reduction(ClassReduction value) {
            this.reduction = value;
            return this;
        }

        /**
         * Sets {@link TrainingConfig#prior() prior}.
         *
         * @param value penalty added to the loss (default none)
         * @return this builder
         */
        public Builder prior(Prior value) {
            this.prior = value;
            return this;
        }

        /**
         * Sets {@link TrainingConfig#earlyStoppingPatience() earlyStoppingPatience}.
         *
         * @param epochsWithoutImprovement stop when the validation NLL has not improved for this many epochs; needs
         *     validation data
         * @return this builder
         */
        public Builder earlyStoppingPatience(int epochsWithoutImprovement) {
            this.earlyStoppingPatience = OptionalInt.of(epochsWithoutImprovement);
            return this;
        }

        /**
         * No early stopping (the default).
         *
         * @return this builder
         */
        public Builder noEarlyStopping() {
            this.earlyStoppingPatience = OptionalInt.empty();
            return this;
        }

        /**
         * Sets {@link TrainingConfig#checkpointEveryEpoch() checkpointEveryEpoch}.
         *
         * @param value when an output folder is given, write a checkpoint after every epoch (default true); otherwise
         *     only after the last epoch
         * @return this builder
         */
        public Builder checkpointEveryEpoch(boolean value) {
            this.checkpointEveryEpoch = value;
            return this;
        }

        /**
         * Sets {@link TrainingConfig#maxLength() maxLength}.
         *
         * @param tokens the longest prompt in tokens (prompts are truncated from the left)
         * @return this builder
         */
        public Builder maxLength(int tokens) {
            this.maxLength = OptionalInt.of(tokens);
            return this;
        }

        /**
         * Sets {@link TrainingConfig#progressBar() progressBar}.
         *
         * @param value show a progress bar on a terminal; when off or not on a terminal, progress goes to the log
         *     (default true)
         * @return this builder
         */
        public Builder progressBar(boolean value) {
            this.progressBar = value;
            return this;
        }

        /** {@return the configuration; {@code evalBatchSize} defaults to {@code batchSize}} */
        public TrainingConfig build() {
            return new TrainingConfig(optimizer, learningRate, schedule, maxGradNorm, gradientAccumulationSteps,
                    batchSize, evalBatchSize.orElse(batchSize), epochs, maxSteps, seed, reduction, prior,
                    earlyStoppingPatience, checkpointEveryEpoch, maxLength, progressBar);
        }
    }
}
