package ai.bayeslora.lora.train;

import java.util.Objects;

/**
 * How the learning rate changes over the optimizer steps, with the formulas of transformers'
 * {@code get_constant_schedule_with_warmup}, {@code get_linear_schedule_with_warmup} and
 * {@code get_cosine_schedule_with_warmup}. The optimizer step with 0-based index k (k steps already taken) uses
 * {@code lr · multiplier(k, T)}, where T is the total number of optimizer steps of the run. As in transformers, the
 * first step of a warm-up uses multiplier 0.
 *
 * <ul>
 *   <li>warm-up (all kinds), k &lt; W: k / W</li>
 *   <li>{@link Kind#CONSTANT}: 1</li>
 *   <li>{@link Kind#LINEAR}: max(0, (T − k) / (T − W))</li>
 *   <li>{@link Kind#COSINE}: ½ (1 + cos(π · (k − W) / (T − W))), floored at 0</li>
 * </ul>
 * Denominators are floored at 1. W is {@code warmupSteps} if positive, otherwise ⌈warmupRatio · T⌉.
 *
 * @param kind the decay after warm-up
 * @param warmupSteps number of warm-up steps W; takes precedence over {@code warmupRatio} when positive
 * @param warmupRatio warm-up as a fraction of T, in [0, 1]; used when {@code warmupSteps} is 0
 */
public record LearningRateSchedule(Kind kind, int warmupSteps, double warmupRatio) {

    /** The decay after warm-up. */
    public enum Kind {
        /** Constant learning rate after warm-up. */
        CONSTANT,
        /** Linear decay to 0 at the last step (the transformers Trainer default). */
        LINEAR,
        /** Half-cosine decay to 0 at the last step. */
        COSINE
    }

    /**
     * Checks that the kind is present, {@code warmupSteps} not negative and {@code warmupRatio} in [0, 1].
     *
     * @param kind the decay after warm-up
     * @param warmupSteps number of warm-up steps W; takes precedence over {@code warmupRatio} when positive
     * @param warmupRatio warm-up as a fraction of T, in [0, 1]; used when {@code warmupSteps} is 0
     */
    public LearningRateSchedule {
        Objects.requireNonNull(kind, "kind");
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warmupSteps must be >= 0, got " + warmupSteps);
        }
        if (!(warmupRatio >= 0 && warmupRatio <= 1)) {
            throw new IllegalArgumentException("warmupRatio must be in [0, 1], got " + warmupRatio);
        }
    }

    /** {@return a constant learning rate, no warm-up} */
    public static LearningRateSchedule constant() {
        return new LearningRateSchedule(Kind.CONSTANT, 0, 0);
    }

    /**
     * Linear warm-up over {@code warmupSteps}, then linear decay to 0.
     *
     * @param warmupSteps number of warm-up steps W; takes precedence over {@code warmupRatio} when positive
     * @return the schedule
     */
    public static LearningRateSchedule linear(int warmupSteps) {
        return new LearningRateSchedule(Kind.LINEAR, warmupSteps, 0);
    }

    /**
     * Linear warm-up over {@code warmupSteps}, then cosine decay to 0.
     *
     * @param warmupSteps number of warm-up steps W; takes precedence over {@code warmupRatio} when positive
     * @return the schedule
     */
    public static LearningRateSchedule cosine(int warmupSteps) {
        return new LearningRateSchedule(Kind.COSINE, warmupSteps, 0);
    }

    /**
     * {@return the same decay with warm-up given as a fraction of the total steps}
     *
     * @param ratio the warm-up fraction of T, in [0, 1]
     */
    public LearningRateSchedule withWarmupRatio(double ratio) {
        return new LearningRateSchedule(kind, 0, ratio);
    }

    /**
     * W for a run of {@code totalSteps} optimizer steps.
     *
     * @param totalSteps T, ≥ 1
     * @return W
     */
    public long warmupSteps(long totalSteps) {
        return warmupSteps > 0 ? warmupSteps : (long) Math.ceil(warmupRatio * totalSteps);
    }

    /**
     * The factor applied to the base learning rate at the optimizer step with 0-based index {@code step}.
     *
     * @param step steps already taken, ≥ 0
     * @param totalSteps T, ≥ 1
     * @return the multiplier, in [0, 1]
     */
    public double multiplier(long step, long totalSteps) {
        if (step < 0 || totalSteps < 1) {
            throw new IllegalArgumentException("need step >= 0 and totalSteps >= 1, got " + step + ", " + totalSteps);
        }
        long w = warmupSteps(totalSteps);
        if (step < w) {
            return (double) step / Math.max(1, w);
        }
        switch (kind) {
            case CONSTANT:
                return 1;
            case LINEAR:
                return Math.max(0, (double) (totalSteps - step) / Math.max(1, totalSteps - w));
            case COSINE:
                double progress = (double) (step - w) / Math.max(1, totalSteps - w);
                return Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
            default:
                throw new IllegalStateException(kind.toString());
        }
    }

    /**
     * For logs, e.g. {@code linear (warm-up 10 steps)}.
     *
     * @return the description
     */
    public String describe() {
        String warm = warmupSteps > 0 ? warmupSteps + " steps" : warmupRatio > 0 ? warmupRatio + " of the steps" : null;
        return kind.name().toLowerCase(java.util.Locale.ROOT) + (warm == null ? "" : " (warm-up " + warm + ")");
    }
}
