package ai.bayeslora.core.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The adapters one forward pass applies: an immutable map from HF module name (for example
 * {@code model.layers.3.self_attn.q_proj} or {@code lm_head}) to the {@link LinearAdapter} of that call.
 *
 * <p>A {@link CausalLM} holds no adapter of its own; every forward takes a binding. So one loaded model serves any
 * number of threads and posteriors at once, each call with its own binding (docs/DEVELOPING.md, "Threading"). A
 * binding is cheap to make: it refers to adapter tensors, it does not copy them.
 */
public final class AdapterBinding {
    private static final AdapterBinding NONE = new AdapterBinding(Map.of());

    private final Map<String, LinearAdapter> adapters;

    private AdapterBinding(Map<String, LinearAdapter> adapters) {
        this.adapters = adapters;
    }

    /** {@return the base model: no adapter anywhere} */
    public static AdapterBinding none() {
        return NONE;
    }

    /**
     * A binding of the given adapters, in the map's order.
     *
     * @param adapters module name → adapter; no null keys or values
     * @return the binding (the base model's if {@code adapters} is empty)
     */
    public static AdapterBinding of(Map<String, ? extends LinearAdapter> adapters) {
        Objects.requireNonNull(adapters, "adapters");
        if (adapters.isEmpty()) {
            return NONE;
        }
        Map<String, LinearAdapter> copy = new LinkedHashMap<>();
        adapters.forEach((name, a) -> copy.put(Objects.requireNonNull(name, "module name"),
                Objects.requireNonNull(a, () -> "adapter for " + name)));
        return new AdapterBinding(Collections.unmodifiableMap(copy));
    }

    /**
     * The adapter bound to a module.
     *
     * @param module HF module name
     * @return the adapter, or null when this call leaves the module unadapted
     */
    public LinearAdapter adapterFor(String module) {
        return adapters.get(module);
    }

    /** {@return the bound module names, in binding order} */
    public Set<String> modules() {
        return adapters.keySet();
    }

    /** {@return whether no module is adapted} */
    public boolean isEmpty() {
        return adapters.isEmpty();
    }

    @Override
    public String toString() {
        return adapters.isEmpty() ? "AdapterBinding[none]" : "AdapterBinding" + adapters.keySet();
    }
}
