package ai.bayeslora.lora.internal;

import ai.bayeslora.lora.LoraAdapter;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/**
 * A copy of an adapter's parameters (bit for bit, in their own dtype and device) and of its dropout flag, put back by
 * {@link #close()}: sample-based predictives overwrite the parameters and must leave the adapter as they found it.
 */
public final class AdapterState implements AutoCloseable {
    private final LoraAdapter adapter;
    private final List<Tensor> copies = new ArrayList<>();
    private final boolean training;
    private boolean closed;

    @SuppressWarnings("try")
    private AdapterState(LoraAdapter adapter) {
        this.adapter = adapter;
        this.training = adapter.isTraining();
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            for (Tensor t : adapter.parameters()) {
                copies.add(Scopes.longLived(t.detach().clone()));
            }
        }
    }

    /** Saves the adapter's parameters and dropout flag. */
    public static AdapterState save(LoraAdapter adapter) {
        return new AdapterState(adapter);
    }

    /** Restores the saved parameters (without recording gradients) and dropout flag, then frees the copies. */
    @Override
    @SuppressWarnings("try")
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            List<Tensor> params = adapter.parameters();
            for (int i = 0; i < params.size(); i++) {
                params.get(i).copy_(copies.get(i));
            }
        } finally {
            copies.forEach(Tensor::releaseReference);
            adapter.train(training);
        }
    }
}
