package ai.bayeslora.lora.train;

import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraLayer;
import java.util.OptionalDouble;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * A penalty added to the training loss (METHODS.md §3). The trainer minimises, at each optimizer step over the
 * examples B of that step (all its micro-batches), out of N training examples:
 *
 * <pre>  L_step(θ) = (1/|B|) Σ_{n∈B} NLL_n(θ) + penalty(θ)</pre>
 *
 * {@link #stepPenalty} computes the second term. How it relates to a full-data objective depends on the prior:
 * <ul>
 *   <li>{@link Gaussian}: penalty = (λ / (2N)) ‖θ‖², so N·E_B[L_step] = Σ_n NLL_n + (λ/2) ‖θ‖², the MAP objective of
 *       Laplace-LoRA with prior θ ~ N(0, λ⁻¹ I). Laplace can reuse λ as its prior precision unchanged.</li>
 *   <li>{@link LoraProduct}: penalty = β Σ_modules ‖B A‖²_F, added to the mean NLL as in the LoRA-ensemble paper
 *       (the "L2 LoRA loss" with β = 1): it penalises ΔW without the scale s. On the sum scale this is
 *       Σ_n NLL_n + N β Σ ‖B A‖²_F. It is not weight decay on A and B, and not Gaussian in θ.</li>
 *   <li>{@link None}: no penalty. AdamW's decoupled weight decay ({@link OptimizerConfig.AdamW#weightDecay()}) is an
 *       optimizer setting, not part of this objective.</li>
 * </ul>
 */
public sealed interface Prior permits Prior.None, Prior.Gaussian, Prior.LoraProduct {

    /**
     * No penalty.
     *
     * @return the flat prior
     */
    static None none() {
        return new None();
    }

    /**
     * Isotropic Gaussian prior N(0, λ⁻¹ I) on θ with precision {@code precision} = λ.
     *
     * @param precision λ ≥ 0
     * @return the prior
     */
    static Gaussian gaussian(double precision) {
        return new Gaussian(precision);
    }

    /**
     * β Σ_modules ‖B A‖²_F (LoRA ensembles, β = 1 in the paper).
     *
     * @param beta β ≥ 0
     * @return the prior
     */
    static LoraProduct loraProduct(double beta) {
        return new LoraProduct(beta);
    }

    /**
     * The penalty term of {@code L_step} as a 0-dim tensor in the parameters' dtype, differentiable in the adapter's
     * parameters. Belongs to the caller's scope.
     *
     * @param adapter the adapter whose parameters θ are penalised
     * @param datasetSize N, the number of training examples
     * @return the penalty, 0-dim
     */
    Tensor stepPenalty(LoraAdapter adapter, long datasetSize);

    /** {@return the Gaussian prior precision λ if this is a {@link Gaussian} prior, for Laplace} */
    default OptionalDouble gaussianPrecision() {
        return OptionalDouble.empty();
    }

    /**
     * For logs and the trainer state, e.g. {@code gaussian(λ=1.0)}.
     *
     * @return the description
     */
    String describe();

    /** No penalty. */
    record None() implements Prior {
        @Override
        public Tensor stepPenalty(LoraAdapter adapter, long datasetSize) {
            Tensor first = adapter.parameters().get(0);
            return first.sum().mul(new Scalar(0.0)); // a zero of the right dtype/device, still in the graph
        }

        @Override
        public String describe() {
            return "none";
        }
    }

    /**
     * Isotropic Gaussian prior with precision λ: penalty (λ / (2N)) ‖θ‖².
     *
     * @param precision λ ≥ 0
     */
    record Gaussian(double precision) implements Prior {
        /**
         * Checks that λ is finite and not negative.
         *
         * @param precision λ ≥ 0
         */
        public Gaussian {
            if (!(precision >= 0) || Double.isInfinite(precision)) {
                throw new IllegalArgumentException("Gaussian prior precision must be finite and >= 0, got " + precision);
            }
        }

        @Override
        public Tensor stepPenalty(LoraAdapter adapter, long datasetSize) {
            checkSize(datasetSize);
            Tensor sum = null;
            for (Tensor p : adapter.parameters()) {
                Tensor sq = p.pow(new Scalar(2.0)).sum();
                sum = sum == null ? sq : sum.add(sq);
            }
            return sum.mul(new Scalar(precision / (2.0 * datasetSize)));
        }

        @Override
        public OptionalDouble gaussianPrecision() {
            return OptionalDouble.of(precision);
        }

        @Override
        public String describe() {
            return "gaussian(λ=" + precision + ")";
        }
    }

    /**
     * β Σ_modules ‖B A‖²_F. Computed without forming B A (which is out × in, vocab × hidden for lm_head) through
     * ‖B A‖²_F = tr(Aᵀ Bᵀ B A) = Σ_ij (BᵀB)_ij (A Aᵀ)_ij, two r × r Gram matrices.
     *
     * @param beta β ≥ 0
     */
    record LoraProduct(double beta) implements Prior {
        /**
         * Checks that β is finite and not negative.
         *
         * @param beta β ≥ 0
         */
        public LoraProduct {
            if (!(beta >= 0) || Double.isInfinite(beta)) {
                throw new IllegalArgumentException("LoRA product prior β must be finite and >= 0, got " + beta);
            }
        }

        @Override
        public Tensor stepPenalty(LoraAdapter adapter, long datasetSize) {
            Tensor sum = null;
            for (LoraLayer l : adapter.layers().values()) {
                Tensor btb = l.b().t().matmul(l.b());
                Tensor aat = l.a().matmul(l.a().t());
                Tensor sq = btb.mul(aat).sum();
                sum = sum == null ? sq : sum.add(sq);
            }
            return sum.mul(new Scalar(beta));
        }

        @Override
        public String describe() {
            return "lora-product(β=" + beta + ")";
        }
    }

    private static void checkSize(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("datasetSize must be positive, got " + n);
        }
    }
}
