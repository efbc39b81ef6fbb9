package ai.bayeslora.examples.cli;

import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.text.HfTokenizer;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.lora.swag.SwagCollector;
import ai.bayeslora.lora.swag.SwagConfig;
import ai.bayeslora.lora.swag.SwagPosterior;
import ai.bayeslora.lora.swag.SwagVariant;
import ai.bayeslora.lora.train.LoraTrainer;
import ai.bayeslora.lora.train.TrainingConfig;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code bayeslora swag}: one adapter trained with SWAG moment collection; saves the adapter and the posterior. */
@Command(name = "swag", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 120,
        description = {"Trains one LoRA adapter and collects SWAG moments (SWA mean, diagonal variance, K deviation",
            "columns) from --start-epoch on, at each epoch end or every --every optimizer steps. Writes",
            "OUT/checkpoints/epoch-NNN, OUT/adapter (peft folder, final weights), OUT/posterior (swag.json +",
            "swag.safetensors) and OUT/run.json. Evaluate with: evaluate --swag OUT --data FILE.",
            "Defaults (SWAG-LoRA, Onal et al. 2024, where it fixes them): LoRA r=8, alpha=16, dropout 0.1 on",
            "q_proj,v_proj; K=5, scale 1, S=15 samples; AdamW lr 1e-4 with linear decay, clip 1.0, batch 8.",
            "Not reproduced: SWAG-LoRA's lower learning rate in the SWAG phase (the trainer has one schedule).",
            ""})
final class SwagCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin ChoicesOption choicesOption = new ChoicesOption();
    @picocli.CommandLine.Mixin PromptOption promptOption = new PromptOption();
    @Mixin BaseModelOptions modelOptions;

    @Option(names = "--train", required = true, paramLabel = "FILE",
            description = "Labelled training data: " + DataSpec.SYNTAX) String train;

    @Option(names = "--split", defaultValue = "test",
            description = "MMLU split for CSV folders (default: ${DEFAULT-VALUE}).") String split;

    @Option(names = "--epochs", defaultValue = "3", paramLabel = "E",
            description = "Epochs (default: ${DEFAULT-VALUE}).") int epochs;

    @Option(names = "--start-epoch", paramLabel = "S",
            description = "First epoch whose snapshots are collected; earlier epochs are the MAP phase "
                    + "(default: max(1, E-1)).") Integer startEpoch;

    @Option(names = "--every", paramLabel = "K",
            description = "Collect every K optimizer steps (default: at each epoch end).") Integer every;

    @Option(names = "--samples", defaultValue = "15", paramLabel = "S",
            description = "Weight samples S of the predictive, stored in the posterior (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--max-rank", defaultValue = "5", paramLabel = "K",
            description = "Deviation columns kept (default: ${DEFAULT-VALUE}).") int maxRank;

    @Option(names = "--scale", defaultValue = "1", description = "Covariance scale (default: ${DEFAULT-VALUE}).")
    double scale;

    @Option(names = "--variant", defaultValue = "paper", paramLabel = "paper|swag-lora-code",
            description = "Sampler: Maddox et al.'s (paper) or swag-lora's code (default: ${DEFAULT-VALUE}).")
    String variant;

    @Mixin TrainOptions trainOptions;

    @Option(names = "--out", defaultValue = "runs/swag", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Mixin OverwriteOption overwrite = new OverwriteOption();

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        SwagVariant v = switch (variant.toLowerCase(Locale.ROOT).replace('_', '-')) {
            case "paper" -> SwagVariant.PAPER;
            case "swag-lora-code" -> SwagVariant.SWAG_LORA_CODE;
            default -> throw new IllegalArgumentException("--variant: unknown variant '" + variant
                    + "' (known: paper, swag-lora-code)");
        };
        if (epochs < 1) {
            throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        }
        int start = startEpoch == null ? Math.max(1, epochs - 1) : startEpoch;
        if (start < 1 || start > epochs) {
            throw new IllegalArgumentException("--start-epoch must be in [1, --epochs=" + epochs + "], got " + start
                    + ": nothing would be collected");
        }
        SwagConfig.Builder sb = SwagConfig.builder().startEpoch(start).maxRank(maxRank).scale(scale).variant(v)
                .samples(samples);
        if (every != null) {
            sb.everySteps(every);
        }
        SwagConfig swagConfig = sb.build();
        LoraConfig lora = trainOptions.lora(LoraConfig.builder().rank(8).alpha(16).dropout(0.1)
                .targetModules("q_proj", "v_proj"));
        TrainingConfig training = trainOptions.training(TrainingConfig.defaults(), epochs);
        modelOptions.checkModelDir();
        ai.bayeslora.core.data.PaperPrompts.Prepared prepared = PromptOption.prepare(promptOption.name("mmlu"),
                DataSpec.parse(train).loadLabelled("--train", choicesOption.options(split), "training"));
        McqaDataset trainSet = prepared.dataset();
        Path checkpoints = out.resolve("checkpoints");
        // SWAG runs cannot be resumed (the moments are not checkpointed): an earlier run is kept unless --overwrite
        new OutputGuard("swag", overwrite.overwrite).inputs(modelOptions.model, DataSpec.parse(train).path())
                .runFolder("--out", out, false, OutputGuard.Earlier.KEEP);
        writeRunJson(lora, training, swagConfig, trainSet);
        System.err.printf(Locale.ROOT, "swag: %d epochs on %d questions, collecting from epoch %d %s; LoRA r=%d "
                        + "alpha=%s dropout=%s on %s -> %s%n", epochs, trainSet.size(), start,
                every == null ? "at each epoch end" : "every " + every + " steps", lora.rank(), lora.alpha(),
                lora.dropout(), lora.targetModules(), out);
        Path modelDir = modelOptions.modelDir();
        try (CausalLM model = CausalLM.load(modelDir, modelOptions.computeDevice());
             HfTokenizer tokenizer = HfTokenizer.load(modelDir);
             LoraAdapter adapter = LoraAdapter.create(model, lora, trainOptions.seed);
             SwagCollector collector = new SwagCollector(swagConfig)) {
            McqaBatcher batcher = new McqaBatcher(tokenizer, prepared.format(),
                    McqaBatcher.Config.forTokenizer(tokenizer));
            new LoraTrainer(training).withListener(collector)
                    .train(adapter, batcher, trainSet, Optional.empty(), checkpoints);
            adapter.save(out.resolve("adapter"));
            try (SwagPosterior posterior = collector.posterior()) {
                posterior.save(out.resolve("posterior"));
                System.out.printf(Locale.ROOT, "SWAG posterior: %d snapshots, K=%d columns, %d LoRA parameters, "
                                + "%s sampler, S=%d%nadapter: %s%nposterior: %s (%.0f s)%n", posterior.collected(),
                        posterior.rank(), posterior.parameterCount(),
                        v == SwagVariant.PAPER ? "paper" : "swag-lora-code", samples, out.resolve("adapter"),
                        out.resolve("posterior"), (System.nanoTime() - t0) / 1e9);
            }
        }
        return 0;
    }

    private void writeRunJson(LoraConfig lora, TrainingConfig training, SwagConfig swag, McqaDataset trainSet) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("command", "swag");
        m.put("train", trainSet.source());
        m.put("train_examples", trainSet.size());
        m.putAll(TrainOptions.describe(lora, training));
        m.put("swag_start_epoch", swag.startEpoch());
        m.put("swag_frequency", swag.frequency().toString());
        m.put("swag_max_rank", swag.maxRank());
        m.put("swag_scale", swag.scale());
        m.put("swag_variant", swag.variant().toString());
        m.put("swag_samples", swag.samples());
        try {
            ai.bayeslora.core.io.AtomicOutput.writeString(out.resolve("run.json"),
                    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(m));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out.resolve("run.json"), e);
        }
    }
}
