package ai.bayeslora.lora.train.internal;

import ai.bayeslora.core.NativeScope;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The random stream of one training run's (or one member's) LoRA dropout masks: a private CPU generator that the
 * dropout kernels draw from directly ({@link ai.bayeslora.lora.LoraKernel#withDropout}), so no global generator is
 * touched, runs in other threads neither disturb nor are disturbed, and a checkpoint stores the exact state
 * ({@link #state()}) for a bit-identical resume. Masks are drawn on the CPU, so a seed gives the same masks on every
 * device.
 */
public final class DropoutRng implements AutoCloseable {
    private final Generator generator;
    private Tensor state;

    private DropoutRng(Generator generator) {
        this.generator = generator;
    }

    /** A stream seeded with {@code seed} (a fresh mt19937 CPU generator). */
    public static DropoutRng seeded(long seed) {
        return new DropoutRng(torch.createCPUGenerator(seed));
    }

    /** A stream continuing from a saved {@link #state()}. */
    public static DropoutRng fromState(Tensor savedState) {
        Generator g = torch.createCPUGenerator(0);
        NativeScope.run(() -> g.set_state(savedState.clone()));
        return new DropoutRng(g);
    }

    /** The generator the masks are drawn from; its state advances with every masked forward. */
    public Generator generator() {
        return generator;
    }

    /** The current generator state (uint8 CPU tensor), owned by this object until the next call or {@link #close()}. */
    public Tensor state() {
        NativeScope.release(state); // the previous one (null at first)
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
