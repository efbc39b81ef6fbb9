package ai.bayeslora.examples.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by commands that load a model: folder, adapter, device and dtype. */
final class ModelOptions extends BaseModelOptions {
    @Option(names = "--adapter", paramLabel = "DIR", description = "peft LoRA adapter folder to apply.")
    Path adapter;

    /** The --adapter folder loaded for {@code model}, or null without --adapter. */
    ai.bayeslora.lora.LoraAdapter loadAdapter(ai.bayeslora.core.model.CausalLM model) {
        return adapter == null ? null : ai.bayeslora.lora.LoraAdapter.load(adapter, model);
    }
}
