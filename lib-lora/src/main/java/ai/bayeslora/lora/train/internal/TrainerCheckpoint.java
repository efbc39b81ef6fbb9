package ai.bayeslora.lora.train.internal;

import ai.bayeslora.core.NativeScope;
import ai.bayeslora.core.Tensors;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.safetensors.SafetensorsFile;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.train.TrainerStateException;
import ai.bayeslora.lora.train.TrainingConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.pytorch.Tensor;

/** Collects the tensors of a trainer state for writing, and restores a run from a checkpoint folder. */
public final class TrainerCheckpoint {
    private TrainerCheckpoint() {
    }

    /**
     * The tensors of {@link TrainerState}'s file: parameters (detached views), optimizer state and the dropout stream.
     * Views belong to the caller's scope; the optimizer's and the stream's tensors stay theirs.
     */
    public static Map<String, Tensor> stateTensors(LoraAdapter adapter, ParameterOptimizer optimizer,
                                                   Optional<DropoutRng> dropout) {
        List<Tensor> params = adapter.parameters();
        List<String> names = adapter.parameterNames();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            tensors.put(TrainerState.paramKey(names.get(i)), params.get(i).detach());
            for (Map.Entry<String, Tensor> e : optimizer.state(i).entrySet()) {
                tensors.put(TrainerState.optimizerKey(names.get(i), e.getKey()), e.getValue());
            }
        }
        dropout.ifPresent(d -> tensors.put(TrainerState.DROPOUT_RNG_KEY, d.state()));
        return tensors;
    }

    /**
     * Checks that {@code checkpoint} belongs to this run, then copies its parameters into the adapter and its state
     * into the optimizer.
     *
     * @param restoreDropout whether to restore the dropout stream (CPU training with dropout)
     * @return the manifest, and the restored dropout stream if requested (the caller closes it)
     * @throws TrainerStateException naming the file and field that does not fit
     */
    public static Restored restore(Path checkpoint, TrainingConfig config, McqaDataset train, LoraAdapter adapter,
                                   ParameterOptimizer optimizer, boolean restoreDropout) {
        Path json = checkpoint.resolve(TrainerState.JSON_FILE);
        TrainerState.Meta meta = TrainerState.readMeta(checkpoint);
        List<String> diff = ConfigJson.differences(meta.config(), ConfigJson.of(config));
        if (!diff.isEmpty()) {
            throw new TrainerStateException(json + ": field 'config' differs from this trainer's config: "
                    + String.join("; ", diff));
        }
        if (meta.trainExamples() != train.size() || !meta.trainFingerprint().equals(TrainingLog.fingerprint(train))) {
            throw new TrainerStateException(json + ": field 'train_fingerprint' does not match the training data "
                    + train.source() + " (" + train.size() + " examples; the checkpoint had " + meta.trainExamples()
                    + ")");
        }
        if (meta.baseModel().isPresent()) {
            List<String> base = meta.baseModel().get().differences(
                    ai.bayeslora.core.model.BaseModelFingerprint.of(adapter.model()));
            if (!base.isEmpty()) {
                throw new TrainerStateException(json + ": field 'base_model': the checkpoint was trained on another "
                        + "base model (" + meta.baseModel().get().path() + ") than the one given ("
                        + adapter.model().config().source() + "): " + String.join("; ", base)
                        + " (checkpoint vs given)");
            }
        }
        if (meta.baseModel().isPresent()) {
            List<String> base = meta.baseModel().get().differences(
                    ai.bayeslora.core.model.BaseModelFingerprint.of(adapter.model()));
            if (!base.isEmpty()) {
                throw new TrainerStateException(json + ": field 'base_model': the checkpoint was trained on another "
                        + "base model (" + meta.baseModel().get().path() + ") than the one given ("
                        + adapter.model().config().source() + "): " + String.join("; ", base)
                        + " (checkpoint vs given)");
            }
        }
        List<Tensor> params = adapter.parameters();
        List<String> names = adapter.parameterNames();
        if (!meta.parameterNames().equals(names)) {
            throw new TrainerStateException(json + ": field 'parameters' lists " + meta.parameterNames().size()
                    + " parameters that differ from the adapter's " + names.size());
        }
        if (!meta.optimizerType().equals(optimizer.type())) {
            throw new TrainerStateException(json + ": field 'optimizer.type' is " + meta.optimizerType()
                    + ", the config uses " + optimizer.type());
        }
        if (restoreDropout && !meta.dropoutRng()) {
            throw new TrainerStateException(json + ": field 'dropout_rng' is empty but the adapter uses dropout "
                    + adapter.config().dropout());
        }
        List<Tensor> owned = new ArrayList<>();
        try (SafetensorsFile f = TrainerState.openTensors(checkpoint)) {
            List<Map<String, Tensor>> state = new ArrayList<>();
            for (int i = 0; i < params.size(); i++) {
                String key = TrainerState.paramKey(names.get(i));
                Tensor saved = read(f, key, owned);
                if (!Arrays.equals(Tensors.shape(saved), Tensors.shape(params.get(i)))) {
                    throw new TrainerStateException(f.path() + ": tensor '" + key + "' has shape "
                            + Tensors.shapeText(Tensors.shape(saved)) + " but the adapter's parameter has "
                            + Tensors.shapeText(Tensors.shape(params.get(i))));
                }
                Tensor param = params.get(i);
                NativeScope.runNoGrad(() -> param.copy_(saved.to(param.device(), param.scalar_type())));
                String prefix = TrainerState.optimizerKey(names.get(i), "");
                Map<String, Tensor> st = new LinkedHashMap<>();
                for (String name : f.names()) {
                    if (name.startsWith(prefix)) {
                        st.put(name.substring(prefix.length()), read(f, name, owned));
                    }
                }
                state.add(st);
            }
            try {
                optimizer.load(meta.optimizerSteps(), state, params);
            } catch (IllegalArgumentException e) {
                throw new TrainerStateException(f.path() + ": " + e.getMessage(), e);
            }
            Optional<DropoutRng> dropout = restoreDropout
                    ? Optional.of(DropoutRng.fromState(read(f, TrainerState.DROPOUT_RNG_KEY, owned),
                            adapter.model().device().torchDevice()))
                    : Optional.empty();
            return new Restored(meta, dropout);
        } finally {
            owned.forEach(Tensor::close);
        }
    }

    /**
     * What {@link #restore} recovered.
     *
     * @param meta the checkpoint's manifest (counters, history, early-stopping state)
     * @param dropout the dropout stream, if restored
     */
    public record Restored(TrainerState.Meta meta, Optional<DropoutRng> dropout) {
    }

    /** A tensor of the file, owned by the caller (collected in {@code owned} to be closed). */
    private static Tensor read(SafetensorsFile f, String key, List<Tensor> owned) {
        if (!f.contains(key)) {
            throw new TrainerStateException(f.path() + ": tensor '" + key + "' missing");
        }
        Tensor t = f.tensor(key);
        owned.add(t);
        return t;
    }
}
