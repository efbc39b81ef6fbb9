package ai.bayeslora.lora.train;

/**
 * Which optimizer updates the LoRA parameters, with PyTorch's update rules ({@code torch.optim.AdamW} and
 * {@code torch.optim.SGD}). The trainer implements both in libtorch tensor ops with explicit state so that a checkpoint
 * can store and restore that state exactly (see {@code internal.AdamWOptimizer}).
 */
public sealed interface OptimizerConfig permits OptimizerConfig.AdamW, OptimizerConfig.Sgd {

    /**
     * AdamW with the Hugging Face Trainer's defaults: β = (0.9, 0.999), ε = 1e-8, weight decay 0.
     *
     * @return the optimizer settings
     */
    static AdamW adamW() {
        return new AdamW(0.9, 0.999, 1e-8, 0);
    }

    /**
     * AdamW with decoupled weight decay {@code weightDecay} and otherwise {@link #adamW()}'s settings.
     *
     * @param weightDecay decoupled decay rate (multiplied by the learning rate), ≥ 0
     * @return the optimizer settings
     */
    static AdamW adamW(double weightDecay) {
        return new AdamW(0.9, 0.999, 1e-8, weightDecay);
    }

    /**
     * SGD with momentum {@code momentum} (0 for plain SGD), optionally Nesterov.
     *
     * @param momentum μ in [0, 1); 0 is plain SGD
     * @param nesterov Nesterov momentum (needs μ &gt; 0)
     * @return the optimizer settings
     */
    static Sgd sgd(double momentum, boolean nesterov) {
        return new Sgd(momentum, nesterov);
    }

    /** {@return a short description for logs, e.g. {@code AdamW(β1=0.9, β2=0.999, ε=1e-08, wd=0.0)}} */
    String describe();

    /**
     * AdamW (Loshchilov &amp; Hutter), as {@code torch.optim.AdamW} with {@code amsgrad=False}. With gradient g at step
     * t (1-based): θ ← θ(1 − lr·wd); m ← β1 m + (1−β1) g; v ← β2 v + (1−β2) g²; θ ← θ − lr · m̂ / (√v̂ + ε) with
     * m̂ = m/(1−β1^t), v̂ = v/(1−β2^t).
     *
     * <p>The weight decay is <em>decoupled</em>: it is not the gradient of a Gaussian prior and does not enter the loss
     * (METHODS.md §3). For a MAP objective use {@link Prior#gaussian(double)} instead.
     *
     * @param beta1 decay of the first-moment average, in [0, 1)
     * @param beta2 decay of the second-moment average, in [0, 1)
     * @param eps added to √v̂ for stability, &gt; 0
     * @param weightDecay decoupled decay rate (multiplied by the learning rate), ≥ 0
     */
    record AdamW(double beta1, double beta2, double eps, double weightDecay) implements OptimizerConfig {
        /**
         * Checks the ranges: betas in [0, 1), ε &gt; 0, weight decay ≥ 0.
         *
         * @param beta1 decay of the first-moment average, in [0, 1)
         * @param beta2 decay of the second-moment average, in [0, 1)
         * @param eps added to √v̂ for stability, &gt; 0
         * @param weightDecay decoupled decay rate (multiplied by the learning rate), ≥ 0
         */
        public AdamW {
            if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
                throw new IllegalArgumentException("AdamW betas must be in [0, 1), got (" + beta1 + ", " + beta2 + ")");
            }
            if (!(eps > 0)) {
                throw new IllegalArgumentException("AdamW eps must be positive, got " + eps);
            }
            if (!(weightDecay >= 0)) {
                throw new IllegalArgumentException("AdamW weight_decay must be >= 0, got " + weightDecay);
            }
        }

        @Override
        public String describe() {
            return "AdamW(β1=" + beta1 + ", β2=" + beta2 + ", ε=" + eps + ", wd=" + weightDecay + ")";
        }
    }

    /**
     * SGD with heavy-ball or Nesterov momentum, as {@code torch.optim.SGD} with dampening 0 and no weight decay:
     * b ← g at the first step, b ← μ b + g afterwards; the update direction is b, or g + μ b with Nesterov;
     * θ ← θ − lr · direction.
     *
     * @param momentum μ in [0, 1); 0 is plain SGD
     * @param nesterov Nesterov momentum (needs μ &gt; 0)
     */
    record Sgd(double momentum, boolean nesterov) implements OptimizerConfig {
        /**
         * Checks that μ is in [0, 1) and that Nesterov has μ &gt; 0.
         *
         * @param momentum μ in [0, 1); 0 is plain SGD
         * @param nesterov Nesterov momentum (needs μ &gt; 0)
         */
        public Sgd {
            if (!(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("SGD momentum must be in [0, 1), got " + momentum);
            }
            if (nesterov && momentum == 0) {
                throw new IllegalArgumentException("Nesterov SGD needs a positive momentum");
            }
        }

        @Override
        public String describe() {
            return "SGD(momentum=" + momentum + (nesterov ? ", nesterov" : "") + ")";
        }
    }
}
