package ai.bayeslora.examples.cli;

import ai.bayeslora.examples.bench.BenchDevice;
import picocli.CommandLine.Option;

/** {@code --device}, {@code --dtype} and {@code --shape} of the benchmarks. */
final class BenchDeviceOptions {
    @Option(names = "--device", defaultValue = "cpu", paramLabel = "auto|cpu|cuda[:N]",
            description = "cpu, cuda, cuda:N or auto (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--dtype", paramLabel = "float32|float64|bfloat16|float16", converter = CliEnums.DTypes.class,
            description = "Compute dtype (default: float32 on the CPU, bfloat16 on CUDA).")
    ai.bayeslora.core.DType dtype;

    @Option(names = "--shape", defaultValue = "110m",
            description = "Model shape: 110m (random ~110M Llama) or mistral7b (GPU only; default: ${DEFAULT-VALUE}).")
    String shape;

    BenchDevice benchDevice() {
        BenchDevice d = BenchDevice.of(device, dtype == null ? null : CliEnums.name(dtype));
        if ("mistral7b".equals(shape) && !d.cuda()) {
            throw new IllegalArgumentException("--shape mistral7b is a 7.2B-parameter model (14.5 GB in bfloat16) for a"
                    + " GPU; pass --device cuda (the CPU runs only the 110m shape)");
        }
        return d;
    }
}
