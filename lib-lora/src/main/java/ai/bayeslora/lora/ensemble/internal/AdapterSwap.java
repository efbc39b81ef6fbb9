package ai.bayeslora.lora.ensemble.internal;

import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.model.LinearAdapter;
import ai.bayeslora.core.model.LinearLayer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Clears every adapter of a model for the duration of a try-with-resources block and restores them afterwards, even
 * when the block throws. An ensemble forward installs its own adapters inside the block, so whatever was attached
 * before (another adapter, a member left attached) neither leaks into the prediction nor is lost.
 */
public final class AdapterSwap implements AutoCloseable {
    private final Map<LinearLayer, LinearAdapter> saved = new LinkedHashMap<>();

    private AdapterSwap(CausalLM model) {
        for (LinearLayer l : model.linearLayers().values()) {
            saved.put(l, l.adapter());
            l.setAdapter(null);
        }
    }

    /** Saves and removes all adapters of {@code model}. */
    public static AdapterSwap clearAll(CausalLM model) {
        return new AdapterSwap(model);
    }

    /** Restores the adapters saved at construction, replacing whatever the block installed. */
    @Override
    public void close() {
        saved.forEach(LinearLayer::setAdapter);
    }
}
