package ai.bayeslora.lora.swag;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.swag.internal.MomentAccumulator;
import ai.bayeslora.lora.internal.ParameterLayout;
import ai.bayeslora.lora.internal.ParameterVectors;
import ai.bayeslora.lora.train.EpochSummary;
import ai.bayeslora.lora.train.TrainingListener;
import ai.bayeslora.lora.train.TrainingStep;
import java.util.Objects;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects the SWAG statistics of the LoRA parameters during training (METHODS.md §5). Register it as a
 * {@link TrainingListener}: from {@link SwagConfig#startEpoch()} on it takes a snapshot θ at each epoch end, or every k
 * optimizer steps of the collection phase, and keeps the running mean θ̄, the running mean of squares and the last
 * {@link SwagConfig#maxRank()} deviations θ_i − θ̄_i (θ̄_i: the mean after including θ_i), in float64 on the adapter's
 * device (or the CPU). {@link #collect} takes a snapshot by hand, e.g. from saved per-epoch checkpoints.
 * {@link #posterior()} returns an immutable {@link SwagPosterior}; collection can go on afterwards.
 *
 * <p>Owns native tensors: {@link #close()} it. Thread-safe.
 */
public final class SwagCollector implements TrainingListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SwagCollector.class);

    private final SwagConfig config;
    private final MomentAccumulator moments;
    private ParameterLayout layout;
    private long phaseSteps; // optimizer steps seen since the start epoch began

    /**
     * A collector with nothing collected yet.
     *
     * @param config when to collect, and how many deviation columns to keep
     */
    public SwagCollector(SwagConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.moments = new MomentAccumulator(config.maxRank(), config.offloadToCpu());
    }

    /** {@return the configuration} */
    public SwagConfig config() {
        return config;
    }

    /** Every k steps: collects at the k-th, 2k-th, … step counted from the first step of the start epoch. */
    @Override
    public synchronized void onStepEnd(TrainingStep step) {
        if (config.frequency().isEndOfEpoch() || step.epoch() < config.startEpoch()) {
            return;
        }
        phaseSteps++;
        if (phaseSteps % config.frequency().everySteps() == 0) {
            collect(step.adapter());
            LOG.debug("SWAG snapshot {} at epoch {}, step {}", moments.count(), step.epoch(), step.globalStep());
        }
    }

    /** End of epoch: collects from the start epoch on. */
    @Override
    public synchronized void onEpochEnd(EpochSummary summary) {
        if (!config.frequency().isEndOfEpoch() || summary.epoch() < config.startEpoch()) {
            return;
        }
        collect(summary.adapter());
        LOG.debug("SWAG snapshot {} at the end of epoch {}", moments.count(), summary.epoch());
    }

    /**
     * Adds the adapter's current parameters as one snapshot, whatever the schedule says.
     *
     * @param adapter the adapter being trained
     * @throws IllegalArgumentException if the adapter's parameter layout differs from the earlier snapshots'
     */
    @SuppressWarnings("try")
    public synchronized void collect(LoraAdapter adapter) {
        ParameterLayout l = ParameterLayout.of(adapter);
        if (layout != null && !layout.equals(l)) {
            throw new IllegalArgumentException("this adapter does not match the earlier SWAG snapshots: "
                    + layout.mismatch(l).orElse(""));
        }
        try (NativeScope s = NativeScope.open(); Tensor theta = ParameterVectors.flatten(adapter, ScalarType.Double)) {
            moments.add(theta);
        }
        layout = l;
    }

    /**
     * n, the number of snapshots so far.
     *
     * @return the snapshot count
     */
    public synchronized long collected() {
        return moments.count();
    }

    /**
     * An immutable posterior from the snapshots so far (copies; the collector keeps collecting).
     *
     * @return the posterior; close it
     * @throws IllegalStateException if nothing was collected yet
     */
    public synchronized SwagPosterior posterior() {
        if (moments.count() == 0) {
            throw new IllegalStateException("no SWAG snapshot was collected (collection starts at epoch "
                    + config.startEpoch() + ", " + config.frequency() + "); train past the start epoch or call collect()");
        }
        if (moments.count() == 1) {
            LOG.warn("SWAG posterior from a single snapshot: its covariance is zero, every sample is the SWA mean");
        }
        return NativeScope.compute(() -> new SwagPosterior(config, layout, moments.count(), moments.mean(),
                moments.squaredMean(), moments.deviations()));
    }

    @Override
    public synchronized void close() {
        moments.close();
    }
}
