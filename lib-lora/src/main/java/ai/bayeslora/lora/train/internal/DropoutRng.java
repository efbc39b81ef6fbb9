package ai.bayeslora.lora.train.internal;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * The random stream of the LoRA dropout masks, kept apart from libtorch's global CPU generator. LoRA dropout draws
 * from the default CPU generator; around each training micro-batch the trainer swaps this stream's state in
 * ({@link #enter()}) and out again ({@link #exit()}), so that other users of the global generator (listeners, other
 * code in the process) neither disturb nor are disturbed by training, and a checkpoint can store the exact state
 * ({@link #state()}) for a bit-identical resume.
 *
 * <p>Not thread-safe: one training loop per process uses the swap at a time.
 */
public final class DropoutRng implements AutoCloseable {
    private Tensor state;
    private Tensor saved;

    private DropoutRng(Tensor state) {
        this.state = state;
    }

    /** A stream seeded with {@code seed} (a fresh mt19937 CPU generator state). */
    @SuppressWarnings("try")
    public static DropoutRng seeded(long seed) {
        try (PointerScope s = new PointerScope()) {
            Generator g = torch.createCPUGenerator(seed);
            Tensor st = g.get_state();
            st.retainReference();
            return new DropoutRng(st);
        }
    }

    /** A stream continuing from a saved {@link #state()} (copied). */
    @SuppressWarnings("try")
    public static DropoutRng fromState(Tensor savedState) {
        try (PointerScope s = new PointerScope()) {
            Tensor st = savedState.clone();
            st.retainReference();
            return new DropoutRng(st);
        }
    }

    /** Installs this stream into the default CPU generator, remembering the global state. */
    @SuppressWarnings("try")
    public void enter() {
        if (saved != null) {
            throw new IllegalStateException("DropoutRng.enter() twice without exit()");
        }
        try (PointerScope s = new PointerScope()) {
            Generator g = torch.getDefaultCPUGenerator();
            Tensor global = g.get_state();
            global.retainReference();
            g.set_state(state);
            saved = global;
        }
    }

    /** Captures this stream's advanced state and puts the global state back. */
    @SuppressWarnings("try")
    public void exit() {
        if (saved == null) {
            return;
        }
        try (PointerScope s = new PointerScope()) {
            Generator g = torch.getDefaultCPUGenerator();
            Tensor advanced = g.get_state();
            advanced.retainReference();
            g.set_state(saved);
            state.releaseReference();
            saved.releaseReference();
            state = advanced;
            saved = null;
        }
    }

    /** The current generator state (uint8 CPU tensor), owned by this object. */
    public Tensor state() {
        return state;
    }

    @Override
    public void close() {
        exit();
        if (state != null) {
            state.releaseReference();
            state = null;
        }
    }
}
