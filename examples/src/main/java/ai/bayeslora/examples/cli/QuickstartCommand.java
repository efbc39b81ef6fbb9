package ai.bayeslora.examples.cli;

import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.core.DType;
import ai.bayeslora.core.DeviceSelector;
import ai.bayeslora.core.data.BundledData;
import ai.bayeslora.examples.quickstart.Quickstart;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The README's main job: the whole pipeline on the bundled tiny model in a few minutes. */
@Command(name = "quickstart", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        header = "Every method on the bundled tiny model and synthetic data, in one report.",
        description = {"Trains a deep ensemble, a SWAG posterior and an MC-dropout model on the bundled tiny model and "
            + "synthetic MCQA task, fits Laplace-LoRA (K-FAC) and temperature scaling on the MAP adapter, compares "
            + "them in-domain and on a shifted split (OOD), and writes a report.",
            "The bundled model is tiny and random: this shows the pipeline, not a real LLM's behaviour."})
final class QuickstartCommand implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "runs/quickstart", paramLabel = "DIR", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--members", defaultValue = "5", paramLabel = "N", description = "Ensemble size M (default: ${DEFAULT-VALUE}).")
    int members;

    @Option(names = "--epochs", defaultValue = "8", paramLabel = "N", description = "Epochs per model (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "auto|cpu|cuda[:N]",
            description = "Compute device (default: ${DEFAULT-VALUE}; the bundled model is too small to gain from a GPU).")
    String device;

    @Option(names = "--dtype", paramLabel = "float32|float64|bfloat16|float16", converter = CliEnums.DTypes.class,
            description = "Compute dtype (default: float32 on CPU, bfloat16 on CUDA).")
    DType dtype;

    @picocli.CommandLine.Mixin OverwriteOption overwrite = new OverwriteOption();

    @picocli.CommandLine.Mixin AveragingOption averaging = new AveragingOption();

    @picocli.CommandLine.Mixin SvgOption svg = new SvgOption();

    @Option(names = "--fast", description = "A smaller run (M=3, 2 epochs, 256 questions) for smoke tests.")
    boolean fast;

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Quickstart.Settings s = fast ? Quickstart.Settings.fast()
                : Quickstart.Settings.defaults().with(members, epochs);
        // an earlier quickstart run in --out is replaced; anything else there needs --overwrite
        new OutputGuard("quickstart", overwrite.overwrite).runFolder("--out", out, false, OutputGuard.Earlier.REPLACE);
        ComputeDevice d = DeviceSelector.select(device);
        s = s.on(dtype == null ? d : d.withDType(dtype)).averaging(averaging.averaging()).svg(svg.svg);
        Quickstart.Outcome o = Quickstart.run(BundledModel.tinyLlama(), BundledData.syntheticMcqaTrain(),
                BundledData.syntheticMcqaDataset(), BundledData.syntheticMcqaOod(), out, s,
                ReportMetadata.of(spec).setting("fast", fast)
                        .setting("member averaging", averaging.averaging().cliName()));
        System.out.println();
        System.out.println("In-domain: 64 held-out synthetic questions; OOD: 64 questions with unseen words.");
        System.out.print(o.comparison().table());
        System.out.printf(Locale.ROOT, "%nReport: %s (%.0f s)%n", o.reportHtml(), o.seconds());
        System.out.println("Note: the bundled model is a tiny random Llama; on a real checkpoint run e.g.");
        System.out.println("  ./bayeslora train-ensemble --model /models/Mistral-7B-v0.1 --train cqa/train.jsonl "
                + "--eval cqa/validation.jsonl --preset balabanov2024");
        return 0;
    }
}
