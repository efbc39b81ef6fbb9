package ai.bayeslora.lora.internal;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Ownership hand-over for tensors computed inside a method's own {@link PointerScope} (docs/DEVELOPING.md: detaching
 * releases, so attach to the outer scope first).
 */
public final class Scopes {
    private Scopes() {
    }

    /**
     * Call inside the method's own scope, with {@code outer} the scope that was innermost before it opened: the result
     * then belongs to the caller's scope, or, if there was none, to the caller (who closes it).
     */
    public static Tensor toCaller(Tensor t, PointerScope outer) {
        if (outer != null) {
            outer.attach(t);
        } else {
            t.retainReference();
        }
        return t;
    }

    /** Keeps {@code t} alive past every scope; the owner calls {@code releaseReference()} once when done. */
    public static Tensor longLived(Tensor t) {
        t.retainReference();
        return t;
    }
}
