package ai.bayeslora.lora.swag;

import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.core.CudaMemory;
import ai.bayeslora.core.NativeScope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The S weight samples of a SWAG predictive, drawn once and kept on the adapter's device in its dtype, so that every
 * batch reuses them instead of drawing S·P normals on the CPU and copying them to the device again (docs/METHODS.md
 * §5). Sample s is exactly what {@link SwagPosterior#sample(SplittableRandom)} gives for the s-th draw of
 * {@code new SplittableRandom(seed)}, cast to the adapter's dtype: cached or not, the predictive's numbers are the same.
 *
 * <p>Entries are never evicted (a predictive on another thread may be reading them) and live until the posterior
 * closes. Their total is bounded by a budget: 1 GiB, and on CUDA at most 10 % of the device's free memory when an
 * entry is made; a predictive whose samples do not fit draws them per batch, as without a cache. Thread-safe.
 */
final class SwagSampleCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SwagSampleCache.class);
    /** Host budget for all cached samples; on CUDA also at most this fraction of the free device memory. */
    static final long MAX_BYTES = 1L << 30;
    static final double CUDA_FREE_FRACTION = 0.10;

    private record Key(long seed, int samples, String device, String dtype) {
        // the device's name and the dtype's: one entry per predictive configuration
    }

    private final Map<Key, List<Tensor>> entries = new HashMap<>();
    private final long maxBytes;
    private long bytes;
    private boolean closed;

    SwagSampleCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * The {@code samples} samples of {@code seed} in {@code like}'s device and dtype, drawing them on first use, or
     * empty when they would exceed the budget (the caller then draws per batch).
     */
    synchronized Optional<List<Tensor>> samples(SwagPosterior posterior, long seed, int samples, ComputeDevice device,
                                                Tensor like) {
        if (closed) {
            throw new IllegalStateException("the SWAG posterior was closed");
        }
        Key key = new Key(seed, samples, device.toString(), like.scalar_type().intern().name());
        List<Tensor> hit = entries.get(key);
        if (hit != null) {
            return Optional.of(hit);
        }
        long need = (long) samples * posterior.parameterCount() * like.element_size();
        long allowed = maxBytes - bytes;
        if (device.isCuda()) {
            allowed = Math.min(allowed, (long) (CUDA_FREE_FRACTION * CudaMemory.freeBytes(device.index())));
        }
        if (need > allowed) {
            LOG.info("SWAG predictive: S = {} samples of {} parameters need {} MiB, over the cache budget ({} MiB "
                    + "left); drawing them for every batch", samples, posterior.parameterCount(), need >> 20,
                    Math.max(0, allowed) >> 20);
            return Optional.empty();
        }
        List<Tensor> drawn = new ArrayList<>(samples);
        SplittableRandom rng = new SplittableRandom(seed);
        for (int s = 0; s < samples; s++) {
            drawn.add(NativeScope.compute(() -> NativeScope.keep(draw(posterior, rng, like))));
        }
        List<Tensor> kept = List.copyOf(drawn);
        entries.put(key, kept);
        bytes += need;
        return Optional.of(kept);
    }

    /** One sample in {@code like}'s device and dtype (the per-batch path uses this too). */
    static Tensor draw(SwagPosterior posterior, SplittableRandom rng, Tensor like) {
        return posterior.sample(rng).to(like.device(), like.scalar_type());
    }

    /** Bytes held. */
    synchronized long bytes() {
        return bytes;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        entries.values().forEach(NativeScope::release);
        entries.clear();
        bytes = 0;
    }
}
