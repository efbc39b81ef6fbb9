package ai.bayeslora.core;

import org.bytedeco.pytorch.SizeTPair;
import org.bytedeco.pytorch.cuda.CUDAAllocator;
import org.bytedeco.pytorch.cuda.DeviceStats;
import org.bytedeco.pytorch.global.torch_cuda;

/**
 * What libtorch's CUDA caching allocator knows about a device's memory: free bytes (for budgets), the peak of
 * allocated bytes (for benchmarks), and a synchronisation point around timings. Call only for a CUDA device (the GPU
 * build): the class loads the CUDA natives on first use.
 */
public final class CudaMemory {
    private CudaMemory() {
    }

    private static CUDAAllocator allocator() {
        return torch_cuda.getAllocator();
    }

    /**
     * Free bytes on the device as the driver reports them, plus what the caching allocator holds but does not use.
     *
     * @param device the CUDA device index
     * @return bytes that new allocations can use
     */
    public static long freeBytes(int device) {
        try (SizeTPair info = allocator().getMemoryInfo((byte) device);
             DeviceStats stats = allocator().getDeviceStats((byte) device)) {
            long cachedUnused = stats.reserved_bytes().current() - stats.allocated_bytes().current();
            return info.first() + Math.max(0, cachedUnused);
        }
    }

    /**
     * The peak of allocated bytes since the last {@link #resetPeak}.
     *
     * @param device the CUDA device index
     * @return bytes
     */
    public static long peakAllocatedBytes(int device) {
        try (DeviceStats stats = allocator().getDeviceStats((byte) device)) {
            return stats.allocated_bytes().peak();
        }
    }

    /**
     * Starts a new peak measurement.
     *
     * @param device the CUDA device index
     */
    public static void resetPeak(int device) {
        allocator().resetPeakStats((byte) device);
    }

    /** Waits for every kernel queued on the current device (around timings). */
    public static void synchronize() {
        torch_cuda.device_synchronize();
    }
}
