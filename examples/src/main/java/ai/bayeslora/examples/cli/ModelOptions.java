package ai.bayeslora.examples.cli;

import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.core.DType;
import ai.bayeslora.core.DeviceSelector;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by commands that load a model: folder, adapter, device and dtype. */
final class ModelOptions {
    @Option(names = "--model", paramLabel = "DIR",
            description = "HF model folder (config.json, *.safetensors, tokenizer.json). Default: the bundled tiny model.")
    Path model;

    @Option(names = "--adapter", paramLabel = "DIR", description = "peft LoRA adapter folder to apply.")
    Path adapter;

    @Option(names = "--device", defaultValue = "auto", paramLabel = "auto|cpu|cuda[:N]",
            description = "Compute device (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--dtype", paramLabel = "float32|float64|bfloat16|float16",
            description = "Compute dtype (default: float32 on CPU, bfloat16 on CUDA).")
    String dtype;

    ComputeDevice computeDevice() {
        ComputeDevice d = DeviceSelector.select(device);
        return dtype == null ? d : d.withDType(DType.parse(dtype));
    }

    /** The --adapter folder loaded and attached to {@code model}, or null without --adapter. */
    ai.bayeslora.lora.LoraAdapter attachAdapter(ai.bayeslora.core.model.CausalLM model) {
        return adapter == null ? null : ai.bayeslora.lora.LoraAdapter.load(adapter, model).attach();
    }

    Path modelDir() {
        return model != null ? model : BundledModel.tinyLlama();
    }
}
