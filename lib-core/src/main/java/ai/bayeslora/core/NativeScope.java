package ai.bayeslora.core;

import java.util.Collection;
import java.util.function.Supplier;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;

/**
 * The one way this library hands native memory from one owner to another (docs/DEVELOPING.md, "Native memory"). A
 * scope frees every tensor created while it is open when it closes, except what it hands on:
 * <ul>
 *   <li>{@link #ret} gives a result to the caller: to the scope that was innermost when this one opened, or, when the
 *       caller has none, to the caller itself, who then closes it;</li>
 *   <li>{@link #keep} keeps a tensor past every scope, for an object that owns it (weights, optimizer moments,
 *       curvature factors) and frees it with {@link #release} in its own {@code close()}.</li>
 * </ul>
 * {@link #compute} and {@link #noGrad} run a block in a scope and return a plain Java value, so that per-batch tensors
 * never outlive the batch. Scopes are per thread: open and close one on the same thread.
 *
 * <pre>{@code
 * Tensor mean(Tensor x) {
 *     try (NativeScope s = NativeScope.open()) {
 *         Tensor tmp = x.mul(x);                 // freed at close
 *         return s.ret(tmp.mean());              // survives, owned by the caller's scope
 *     }
 * }
 * double[] p = NativeScope.noGrad(() -> Tensors.toDoubles(scorer.logProbs(batch, binding).exp()));
 * }</pre>
 */
public final class NativeScope implements AutoCloseable {
    private final PointerScope outer;
    private final PointerScope scope;

    private NativeScope() {
        this.outer = PointerScope.getInnerScope();
        this.scope = new PointerScope();
    }

    /**
     * Opens a scope on this thread, nested in the current one (if any).
     *
     * @return the scope; close it in a try-with-resources
     */
    public static NativeScope open() {
        return new NativeScope();
    }

    /**
     * Hands {@code p} to this scope's caller: it survives this scope and belongs to the caller's scope, or, when the
     * caller opened none, to the caller (one reference, released by its {@code close()}).
     *
     * @param p a pointer created in this scope (or attached to it)
     * @param <T> its type
     * @return {@code p}
     */
    public <T extends Pointer> T ret(T p) {
        if (outer != null && accepts(outer, p)) {
            outer.attach(p); // retains; this scope's close releases its own reference
        } else {
            p.retainReference();
        }
        return p;
    }

    /**
     * Keeps {@code p} alive past every scope: the owner frees it with {@link #release} when it is closed.
     *
     * @param p the pointer
     * @param <T> its type
     * @return {@code p}
     */
    public static <T extends Pointer> T keep(T p) {
        p.retainReference();
        return p;
    }

    /**
     * Takes over a pointer kept by {@link #keep} on another thread (a worker that computed it): it joins the current
     * thread's innermost scope, which then owns that reference; with no scope open, the caller keeps owning it.
     *
     * @param p a pointer holding one reference for the caller
     * @param <T> its type
     * @return {@code p}
     */
    public static <T extends Pointer> T adopt(T p) {
        PointerScope current = PointerScope.getInnerScope();
        if (current != null && accepts(current, p)) {
            current.attach(p);
            p.releaseReference(); // the scope's reference replaces the kept one
        }
        return p;
    }

    /**
     * Frees what {@link #keep} kept (null entries are skipped).
     *
     * @param pointers the pointers to release, once each
     */
    public static void release(Pointer... pointers) {
        for (Pointer p : pointers) {
            if (p != null) {
                p.releaseReference();
            }
        }
    }

    /**
     * Frees what {@link #keep} kept (null entries are skipped).
     *
     * @param pointers the pointers to release, once each
     */
    public static void release(Collection<? extends Pointer> pointers) {
        for (Pointer p : pointers) {
            if (p != null) {
                p.releaseReference();
            }
        }
    }

    /**
     * Runs {@code body} in a scope of its own; every tensor it creates is freed before this returns.
     *
     * @param body computes a Java value (an array, a number) from tensors
     * @param <R> the result type
     * @return the body's result
     */
    @SuppressWarnings("try") // the scope is opened for its side effect: it frees the body's temporaries
    public static <R> R compute(Supplier<R> body) {
        try (NativeScope s = open()) {
            return body.get();
        }
    }

    /**
     * {@link #compute} without recording gradients.
     *
     * @param body computes a Java value from tensors
     * @param <R> the result type
     * @return the body's result
     */
    @SuppressWarnings("try")
    public static <R> R noGrad(Supplier<R> body) {
        try (NativeScope s = open(); NoGradGuard g = new NoGradGuard()) {
            return body.get();
        }
    }

    /**
     * Runs {@code body} in a scope of its own, freeing every tensor it creates.
     *
     * @param body the work
     */
    @SuppressWarnings("try")
    public static void run(Runnable body) {
        try (NativeScope s = open()) {
            body.run();
        }
    }

    /**
     * {@link #run} without recording gradients.
     *
     * @param body the work
     */
    @SuppressWarnings("try")
    public static void runNoGrad(Runnable body) {
        try (NativeScope s = open(); NoGradGuard g = new NoGradGuard()) {
            body.run();
        }
    }

    @Override
    public void close() {
        scope.close();
    }

    private static boolean accepts(PointerScope s, Pointer p) {
        Class<?>[] classes = s.forClasses();
        if (classes == null || classes.length == 0) {
            return true;
        }
        for (Class<?> c : classes) {
            if (c.isInstance(p)) {
                return true;
            }
        }
        return false;
    }
}
