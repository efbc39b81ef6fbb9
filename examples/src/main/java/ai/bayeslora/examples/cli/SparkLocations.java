package ai.bayeslora.examples.cli;

import ai.bayeslora.core.BayesLoraException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/**
 * {@code --model}, {@code --adapter}, {@code --device} and {@code --dtype} of {@code bayeslora spark score}: as the
 * other commands' model options, except that a model or adapter may also be a Hadoop file system URI
 * ({@code hdfs://…}, {@code s3a://…}) that the executors read and copy once into their cache (docs/SPARK.md, "Model
 * distribution"). Local folders and HF ids are checked here, on the driver; URIs are checked by the executors.
 */
final class SparkLocations {
    /** A URI with a scheme other than {@code file}: {@code scheme://…}. */
    private static final Pattern REMOTE = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*");

    @Option(names = "--model", paramLabel = "DIR|URI|ORG/NAME", description = {ModelDirConverter.HELP
        + " Or a Hadoop URI every executor can read (hdfs://, s3a://, ...). Default: the bundled tiny model."})
    String model;

    @Option(names = "--adapter", paramLabel = "DIR|URI",
            description = "peft LoRA adapter folder (a local folder or a Hadoop URI).")
    String adapter;

    @Option(names = "--device", defaultValue = "auto", paramLabel = "auto|cpu|cuda[:N]",
            description = "Compute device of each task (default: ${DEFAULT-VALUE}: the task's Spark GPU, else the CPU).")
    String device;

    @Option(names = "--dtype", paramLabel = "float32|float64|bfloat16|float16", converter = CliEnums.DTypes.class,
            description = "Compute dtype (default: float32 on CPU, bfloat16 on CUDA).")
    ai.bayeslora.core.DType dtype;

    /** Whether {@code location} is a Hadoop URI (not a local path or {@code file:} URI). */
    static boolean isRemote(String location) {
        return location != null && REMOTE.matcher(location).matches() && !location.startsWith("file:");
    }

    /** The model as the executors read it: a URI as given, an HF id or folder resolved here, or the bundled model. */
    String modelLocation() {
        if (model == null) {
            return BundledModel.tinyLlama().toString();
        }
        if (isRemote(model)) {
            return model;
        }
        Path dir = new ModelDirConverter().convert(model);
        if (!Files.isRegularFile(dir.resolve("config.json"))) {
            throw new BayesLoraException("--model " + model + ": no config.json in " + dir
                    + " (expected an HF model folder)");
        }
        return dir.toString();
    }

    /**
     * A folder option's value as the executors read it: a URI as given, else the local folder, which must exist.
     *
     * @param option the option's name, for the message
     * @param value the value, or null
     * @return the location, or null for null
     */
    static String folder(String option, String value) {
        if (value == null || isRemote(value)) {
            return value;
        }
        Path p = Path.of(value);
        if (!Files.isDirectory(p)) {
            throw new BayesLoraException(option + " " + value + ": no such folder");
        }
        return p.toString();
    }

    /** The local path of a value, for the output guard's list of inputs (null for a URI or null). */
    static Path localPath(String value) {
        return value == null || isRemote(value) ? null : Path.of(value);
    }
}
