package ai.bayeslora.laplace;

import java.util.List;
import java.util.Objects;

/**
 * Prior-precision tuning by the Laplace log marginal likelihood (METHODS.md §6):
 * log p(D) ≈ log p(D|θ*) − (λ/2)‖θ*‖² + (P/2) log λ − ½ log det(G + λI). With the curvature's eigenvalues e_i
 * (zeros included) its derivative in λ is −‖θ*‖²/2 + ½ Σ_i e_i / (λ(e_i + λ)), which decreases in λ: the evidence is
 * concave in λ with a unique maximiser, found exactly by {@link Method#LINE_SEARCH}. Per-block λ separates into one
 * such problem per block.
 */
public final class PriorTuning {
    private PriorTuning() {
    }

    /** How λ is chosen. */
    public enum Method {
        /** Bisection on the sign of the (monotone) derivative in log λ; exact to 1e-10 in log λ. Default. */
        LINE_SEARCH,
        /** The Laplace-LoRA paper's: Adam on log λ, learning rate 0.1, 100 steps, starting at λ = 1. */
        ADAM,
        /** The best point of a log-spaced grid. */
        GRID
    }

    /**
     * Tuning options. Defaults (see {@link #defaults()}): line search, scalar λ, Adam lr 0.1 × 100 steps from λ = 1,
     * grid and reported curve 10⁻⁴…10⁶ with 61 points.
     *
     * @param method how to maximise
     * @param perBlock one λ per LoRA matrix instead of one scalar (not for FULL)
     * @param adamSteps Adam steps
     * @param adamLearningRate Adam learning rate on log λ
     * @param initial starting λ of Adam
     * @param gridMin smallest λ of the grid and of the reported curve
     * @param gridMax largest λ
     * @param gridPoints number of log-spaced points
     */
    public record Options(Method method, boolean perBlock, int adamSteps, double adamLearningRate, double initial,
                          double gridMin, double gridMax, int gridPoints) {
        /**
         * Checks the ranges: positive Adam settings, 0 &lt; gridMin &lt; gridMax, at least 2 grid points.
         *
         * @param method how to maximise
         * @param perBlock one λ per LoRA matrix instead of one scalar (not for FULL)
         * @param adamSteps Adam steps
         * @param adamLearningRate Adam learning rate on log λ
         * @param initial starting λ of Adam
         * @param gridMin smallest λ of the grid and of the reported curve
         * @param gridMax largest λ
         * @param gridPoints number of log-spaced points
         */
        public Options {
            Objects.requireNonNull(method, "method");
            if (adamSteps < 1 || !(adamLearningRate > 0) || !(initial > 0) || !(gridMin > 0) || !(gridMax > gridMin)
                    || gridPoints < 2) {
                throw new IllegalArgumentException("invalid prior tuning options " + this);
            }
        }

        /**
         * {@return the default options: line search, scalar λ, Adam 0.1 × 100 from λ = 1, grid 10⁻⁴…10⁶ with 61 points}
         */
        public static Options defaults() {
            return new Options(Method.LINE_SEARCH, false, 100, 0.1, 1.0, 1e-4, 1e6, 61);
        }

        /**
         * {@return a copy with another method}
         *
         * @param m the method
         */
        public Options withMethod(Method m) {
            return new Options(m, perBlock, adamSteps, adamLearningRate, initial, gridMin, gridMax, gridPoints);
        }

        /**
         * {@return a copy with scalar or per-block λ}
         *
         * @param on true for one λ per LoRA matrix
         */
        public Options withPerBlock(boolean on) {
            return new Options(method, on, adamSteps, adamLearningRate, initial, gridMin, gridMax, gridPoints);
        }

        /**
         * {@return a copy with another grid}
         *
         * @param min the smallest λ, &gt; 0
         * @param max the largest λ, &gt; min
         * @param points the number of log-spaced points, at least 2
         */
        public Options withGrid(double min, double max, int points) {
            return new Options(method, perBlock, adamSteps, adamLearningRate, initial, min, max, points);
        }
    }

    /**
     * The outcome of a tuning.
     *
     * @param method how λ was chosen
     * @param lambdas the chosen λ per parameter block (all equal for scalar tuning)
     * @param logEvidence log marginal likelihood at the chosen λ
     * @param curve (λ, log evidence) pairs of a scalar λ over the grid, for plotting and checking; for validation-NLL
     *     tuning (λ, −mean validation NLL)
     */
    public record Result(String method, double[] lambdas, double logEvidence, List<double[]> curve) {
        /** {@return the chosen λ if scalar, else the first block's} */
        public double lambda() {
            return lambdas[0];
        }
    }
}
