package ai.bayeslora.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryRetryTest {
    private static RuntimeException cudaOom() {
        return new RuntimeException("CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 79.15 GiB total capacity)");
    }

    @Test
    void outOfMemoryHalvesTheSizeUntilItFits() {
        List<Integer> tried = new ArrayList<>();
        int result = MemoryRetry.halving(16, "test", s -> {
            tried.add(s);
            if (s > 3) {
                throw cudaOom();
            }
            return s * 10;
        });
        assertThat(result).isEqualTo(20);
        assertThat(tried).containsExactly(16, 8, 4, 2);
    }

    @Test
    void aCeilingMakesLaterCallsStartAtTheSizeThatFitted() {
        MemoryRetry.Ceiling ceiling = new MemoryRetry.Ceiling();
        List<Integer> tried = new ArrayList<>();
        for (int call = 0; call < 3; call++) {
            MemoryRetry.halving(16, "test", ceiling, s -> {
                tried.add(s);
                if (s > 5) {
                    throw cudaOom();
                }
                return s;
            });
        }
        // the first call finds 4 by halving; the next two start at 4 instead of failing at 16 and 8 again
        assertThat(tried).containsExactly(16, 8, 4, 4, 4);
        assertThat(ceiling.get()).isEqualTo(4);
        assertThat((int) MemoryRetry.<Integer>halving(2, "test", ceiling, s -> s)).as("a smaller request is not raised").isEqualTo(2);
    }

    @Test
    void otherErrorsAndOutOfMemoryAtSizeOnePropagate() {
        assertThatThrownBy(() -> MemoryRetry.halving(8, "test", s -> {
            throw new IllegalStateException("index out of range");
        })).hasMessage("index out of range");
        assertThatThrownBy(() -> MemoryRetry.halving(4, "test", s -> {
            throw cudaOom();
        })).hasMessageContaining("CUDA out of memory");
        assertThat(MemoryRetry.isOutOfMemory(new RuntimeException("wrapped", new RuntimeException(
                "DefaultCPUAllocator: not enough memory: you tried to allocate 1099511627776 bytes")))).isTrue();
        assertThat(MemoryRetry.isOutOfMemory(new OutOfMemoryError("Java heap space"))).isFalse();
    }

    @Test
    void aRealCpuAllocationFailureIsRecognised() {
        // 2^48 floats = 1 PiB, beyond any x86-64 user address space (even with overcommit): libtorch's CPU allocator
        // refuses with its own message
        Throwable t = null;
        try {
            NativeScope.run(() -> org.bytedeco.pytorch.global.torch.empty(new long[] {1L << 48},
                    new org.bytedeco.pytorch.TensorOptions(org.bytedeco.pytorch.global.torch.ScalarType.Float), null));
        } catch (RuntimeException e) {
            t = e;
        }
        assertThat(t).as("allocating 1 PiB must fail").isNotNull();
        assertThat(MemoryRetry.isOutOfMemory(t)).as(t.getMessage()).isTrue();
    }
}
