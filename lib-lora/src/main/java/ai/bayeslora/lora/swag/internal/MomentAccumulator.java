package ai.bayeslora.lora.swag.internal;

import ai.bayeslora.core.NativeScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The SWAG statistics of a stream of parameter vectors θ₁, θ₂, … [P] (METHODS.md §5), in float64: the running sums
 * Σθ_i and Σθ_i² (the running mean and mean of squares are these divided by n, one correctly rounded division each),
 * and a ring of the last {@code maxRank} deviation columns d_i = θ_i − θ̄_i, where θ̄_i is the mean <em>after</em>
 * including θ_i (as in SWAG). Lives on the device of the first θ, or on the CPU. Not thread-safe.
 */
public final class MomentAccumulator implements AutoCloseable {
    private final int maxRank;
    private final boolean onCpu;
    private Tensor sum;
    private Tensor sumSq;
    private Tensor ring; // [maxRank, P]; row (count - 1) % maxRank is the newest
    private long count;
    private boolean closed;

    /**
     * @param maxRank the number of deviation columns kept (the last ones)
     * @param onCpu store on the CPU whatever the device of θ
     */
    public MomentAccumulator(int maxRank, boolean onCpu) {
        if (maxRank < 1) {
            throw new IllegalArgumentException("maxRank must be positive, got " + maxRank);
        }
        this.maxRank = maxRank;
        this.onCpu = onCpu;
    }

    /**
     * Adds one parameter vector (any floating dtype, converted to float64 exactly from float32/bf16/fp16).
     *
     * @throws IllegalArgumentException if θ is not 1-D or its length differs from the first θ's
     */
    public void add(Tensor theta) {
        checkOpen();
        if (theta.dim() != 1) {
            throw new IllegalArgumentException("θ must be a vector [P], got " + theta.dim() + " dimensions");
        }
        if (sum != null && theta.size(0) != sum.size(0)) {
            throw new IllegalArgumentException("θ has " + theta.size(0) + " entries but earlier snapshots had "
                    + sum.size(0));
        }
        NativeScope.runNoGrad(() -> {
            Tensor x = sum == null ? first(theta) : theta.detach().to(sum.device(), ScalarType.Double);
            sum.add_(x);
            sumSq.add_(x.mul(x));
            count++;
            Tensor mean = sum.div(new Scalar((double) count));
            ring.select(0, (count - 1) % maxRank).copy_(x.sub(mean));
        });
    }

    private Tensor first(Tensor theta) {
        Tensor x = onCpu ? theta.detach().to(new Device("cpu"), ScalarType.Double)
                : theta.detach().to(ScalarType.Double);
        long p = x.size(0);
        TensorOptions opts = new TensorOptions(ScalarType.Double).device(new org.bytedeco.pytorch.DeviceOptional(x.device()));
        sum = NativeScope.keep(torch.zeros(new long[] {p}, opts));
        sumSq = NativeScope.keep(torch.zeros(new long[] {p}, opts));
        ring = NativeScope.keep(torch.zeros(new long[] {maxRank, p}, opts));
        return x;
    }

    /** Number of vectors added, n. */
    public long count() {
        return count;
    }

    /** Number of deviation columns held, K = min(n, maxRank). */
    public int columns() {
        return (int) Math.min(count, maxRank);
    }

    public int maxRank() {
        return maxRank;
    }

    /** P, or -1 before the first vector. */
    public long size() {
        return sum == null ? -1 : sum.size(0);
    }

    /** The running mean θ̄ = Σθ_i / n [P], a new tensor for the caller's scope (or the caller). */
    public Tensor mean() {
        checkData();
        try (NativeScope s = NativeScope.open()) {
            return s.ret(sum.div(new Scalar((double) count)));
        }
    }

    /** The running mean of squares Σθ_i² / n [P], a new tensor for the caller's scope (or the caller). */
    public Tensor squaredMean() {
        checkData();
        try (NativeScope s = NativeScope.open()) {
            return s.ret(sumSq.div(new Scalar((double) count)));
        }
    }

    /**
     * D = [d_{n−K+1} … d_n] [P, K], oldest column first: a new contiguous tensor for the caller's scope (or the
     * caller).
     */
    public Tensor deviations() {
        checkData();
        int k = columns();
        long[] rows = new long[k];
        for (int j = 0; j < k; j++) {
            rows[j] = (count - k + j) % maxRank; // chronological: snapshot n−K+1+j sits in row (n−K+j) mod maxRank
        }
        try (NativeScope s = NativeScope.open()) {
            Tensor idx = ai.bayeslora.core.Tensors.ofLongs(rows, k).to(ring.device(), ScalarType.Long);
            return s.ret(ring.index_select(0, idx).t().contiguous());
        }
    }

    private void checkData() {
        checkOpen();
        if (count == 0) {
            throw new IllegalStateException("no parameter vector has been added");
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the SWAG moments were closed");
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        NativeScope.release(sum, sumSq, ring); // all null before the first vector
    }
}
