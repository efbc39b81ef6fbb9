package ai.bayeslora.lora.train.internal;

import ai.bayeslora.core.NativeScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch_cuda;

/**
 * The random stream of one training run's (or one member's) LoRA dropout masks: a private generator that the dropout
 * kernels draw from directly ({@link ai.bayeslora.lora.LoraKernel#withDropout}), so no global generator is touched,
 * runs in other threads neither disturb nor are disturbed, and a checkpoint stores the exact state ({@link #state()})
 * for a bit-identical resume. On the CPU it is an mt19937 CPU generator; on CUDA a CUDA (Philox) generator of the
 * model's device, whose state (seed and offset) checkpoints save too, so resume is exact there as well, as far as
 * CUDA kernels are deterministic (docs/DEVELOPING.md, "Devices").
 */
public final class DropoutRng implements AutoCloseable {
    private final Generator generator;
    private Tensor state;

    private DropoutRng(Generator generator) {
        this.generator = generator;
    }

    /**
     * A stream seeded with {@code seed} on {@code device}.
     *
     * @param seed the seed
     * @param device where the masks are drawn: a CPU generator for the CPU, a CUDA generator for a CUDA device
     * @return the stream; close it
     */
    public static DropoutRng seeded(long seed, Device device) {
        if (device.is_cuda()) {
            Generator g = torch_cuda.make_generator_cuda((byte) Math.max(0, device.index()));
            g.set_current_seed(seed);
            return new DropoutRng(g);
        }
        return new DropoutRng(torch.createCPUGenerator(seed));
    }

    /** A CPU stream seeded with {@code seed}. */
    public static DropoutRng seeded(long seed) {
        return seeded(seed, new Device("cpu"));
    }

    /**
     * A stream continuing from a saved {@link #state()}.
     *
     * @param savedState the state tensor of a checkpoint
     * @param device the device the stream was on
     * @return the stream; close it
     */
    @SuppressWarnings("try")
    public static DropoutRng fromState(Tensor savedState, Device device) {
        Generator g = device.is_cuda() ? torch_cuda.make_generator_cuda((byte) Math.max(0, device.index()))
                : torch.createCPUGenerator(0);
        try (NativeScope s = NativeScope.open()) {
            g.set_state(savedState.clone());
        }
        return new DropoutRng(g);
    }

    /** The generator the masks are drawn from; its state advances with every masked forward. */
    public Generator generator() {
        return generator;
    }

    /** The current generator state (uint8 CPU tensor), owned by this object until the next call or {@link #close()}. */
    public Tensor state() {
        NativeScope.release(state);
        state = NativeScope.compute(() -> NativeScope.keep(generator.get_state()));
        return state;
    }

    @Override
    public void close() {
        NativeScope.release(state);
        state = null;
        generator.close();
    }
}
