package ai.bayeslora.examples.cli;

import ai.bayeslora.examples.bench.BenchDevice;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.examples.bench.EnsembleBenchmark;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bayeslora bench ensemble}: batched vs sequential LoRA-ensemble inference, memory and prefix sharing. */
@Command(name = "ensemble", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "LoRA deep-ensemble inference: sequential, batched and prefix-shared.",
        description = {"LoRA deep-ensemble inference on a random ~110M-parameter Llama (LoRA r=8 on q_proj, v_proj):",
            "one member, M members sequentially (peft's way) and batched (one forward over M x batch rows), peak "
            + "memory, and prefix sharing with adapters on the top half of the layers."})
final class BenchEnsembleCommand implements Callable<Integer> {
    @Option(names = "--members", defaultValue = "5", paramLabel = "N", description = "Ensemble size M (default: ${DEFAULT-VALUE}).")
    int members;
    @Option(names = "--batch", defaultValue = "8", paramLabel = "N",
            description = "Prompts (rows) per batch (default: ${DEFAULT-VALUE}).") int batch;
    @Option(names = "--length", defaultValue = "256", paramLabel = "TOKENS",
            description = "Tokens per prompt (default: ${DEFAULT-VALUE}).") int length;
    @Option(names = "--rounds", defaultValue = "2", paramLabel = "N", description = "Timed rounds per mode (default: ${DEFAULT-VALUE}).")
    int rounds;
    @Option(names = "--layers", defaultValue = "12", paramLabel = "N",
            description = "Decoder layers of the random model (default: ${DEFAULT-VALUE}).") int layers;
    @Option(names = "--row-budget", description = "Rows per forward pass for the budgeted batched mode "
            + "(default: --batch, i.e. the single member's rows).")
    Integer rowBudget;
    @picocli.CommandLine.Mixin BenchOutOption outDir = new BenchOutOption();
    @picocli.CommandLine.Mixin BenchDeviceOptions device = new BenchDeviceOptions();

    @Override
    public Integer call() {
        if (members < 1 || batch < 1 || length < 1 || rounds < 1 || layers < 2) {
            throw new IllegalArgumentException("--members, --batch, --length, --rounds must be positive and --layers"
                    + " at least 2");
        }
        AnswerTokens answers;
        try (HfTokenizer tok = HfTokenizer.load(BundledModel.tinyLlama())) {
            answers = AnswerTokens.of(tok, List.of("A", "B", "C", "D")); // ids < 400, valid for vocab 32000
        }
        new EnsembleBenchmark(answers, members, batch, length, rounds, rowBudget == null ? batch : rowBudget,
                device.benchDevice(), BenchDevice.shape(device.shape, layers))
                .run().writeJson(outDir.resolve("ensemble.json"));
        return 0;
    }
}
