package ai.bayeslora.examples.cli;

import ai.bayeslora.examples.bench.BenchDevice;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.examples.bench.ConcurrentBenchmark;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bayeslora bench concurrent}: requests/s and memory of 1, 2, 4 threads sharing one model. */
@Command(name = "concurrent", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "Concurrent ensemble inference on one shared model, by thread-pool size.",
        description = {"Concurrent inference on one shared model: a batched LoRA ensemble on a random ~110M Llama, "
            + "served by pools of 1, 2 and 4 threads; requests/s, speed-up over one thread and peak memory."})
final class BenchConcurrentCommand implements Callable<Integer> {
    @Option(names = "--members", defaultValue = "3", paramLabel = "N", description = "Ensemble size M (default: ${DEFAULT-VALUE}).")
    int members;
    @Option(names = "--batch", defaultValue = "4", paramLabel = "N",
            description = "Prompts (rows) per batch (default: ${DEFAULT-VALUE}).") int batch;
    @Option(names = "--length", defaultValue = "128", paramLabel = "TOKENS",
            description = "Tokens per prompt (default: ${DEFAULT-VALUE}).") int length;
    @Option(names = "--layers", defaultValue = "4", paramLabel = "N",
            description = "Decoder layers of the random model (default: ${DEFAULT-VALUE}).") int layers;
    @Option(names = "--requests", defaultValue = "24", paramLabel = "N", description = "Requests per pool (default: ${DEFAULT-VALUE}).")
    int requests;
    @Option(names = "--threads", split = ",", defaultValue = "1,2,4", description = "Pool sizes (default: 1,2,4).")
    int[] threads;
    @picocli.CommandLine.Mixin BenchOutOption outDir = new BenchOutOption();
    @picocli.CommandLine.Mixin BenchDeviceOptions device = new BenchDeviceOptions();

    @Override
    public Integer call() throws Exception {
        if (members < 1 || batch < 1 || length < 1 || layers < 1 || requests < 1 || threads.length == 0) {
            throw new IllegalArgumentException("--members, --batch, --length, --layers, --requests and --threads must"
                    + " be positive");
        }
        for (int t : threads) {
            if (t < 1) {
                throw new IllegalArgumentException("--threads: pool sizes must be positive, got " + t);
            }
        }
        AnswerTokens answers;
        try (HfTokenizer tok = HfTokenizer.load(BundledModel.tinyLlama())) {
            answers = AnswerTokens.of(tok, List.of("A", "B", "C", "D"));
        }
        new ConcurrentBenchmark(answers, members, batch, length, requests, threads, device.benchDevice(),
                BenchDevice.shape(device.shape, layers)).run()
                .writeJson(outDir.resolve("concurrent.json"));
        return 0;
    }
}
