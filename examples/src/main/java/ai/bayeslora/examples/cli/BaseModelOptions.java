package ai.bayeslora.examples.cli;

import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.core.DType;
import ai.bayeslora.core.DeviceSelector;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options shared by commands that load a base model: folder, device and dtype. */
class BaseModelOptions {
    @Option(names = "--model", paramLabel = "DIR|ORG/NAME", converter = ModelDirConverter.class,
            description = ModelDirConverter.HELP + " Default: the bundled tiny model.")
    Path model;

    @Option(names = "--device", defaultValue = "auto", paramLabel = "auto|cpu|cuda[:N]",
            description = "Compute device (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--dtype", paramLabel = "float32|float64|bfloat16|float16", converter = CliEnums.DTypes.class,
            description = "Compute dtype (default: float32 on CPU, bfloat16 on CUDA).")
    DType dtype;

    ComputeDevice computeDevice() {
        ComputeDevice d = DeviceSelector.select(device);
        return dtype == null ? d : d.withDType(dtype);
    }

    Path modelDir() {
        return model != null ? model : BundledModel.tinyLlama();
    }

    /** Fails early, naming the folder, when --model does not look like an HF model folder. */
    void checkModelDir() {
        if (model == null) {
            System.err.println("note: no --model: using the bundled tiny model (random weights, 2 layers); the "
                    + "pipeline runs, the numbers mean nothing.");
            return;
        }
        if (!Files.isDirectory(model)) {
            throw new BayesLoraException("--model " + model + ": no such folder");
        }
        if (!Files.isRegularFile(model.resolve("config.json"))) {
            throw new BayesLoraException("--model " + model + ": no config.json in the folder (expected an HF model "
                    + "folder)");
        }
    }
}
