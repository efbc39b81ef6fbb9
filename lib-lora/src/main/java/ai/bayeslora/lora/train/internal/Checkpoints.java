package ai.bayeslora.lora.train.internal;

import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.core.io.AtomicOutput;
import ai.bayeslora.lora.LoraAdapter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;

/**
 * Writes an epoch checkpoint folder atomically: the peft adapter and the trainer state go to a hidden temporary
 * sibling, which is then renamed to {@code epoch-NNN} ({@link AtomicOutput}). A crash leaves either the complete
 * folder or none (plus a hidden temporary folder that the next write cleans).
 */
public final class Checkpoints {
    private Checkpoints() {
    }

    /** {@code epoch-001} style folder name (at least three digits). */
    public static String folderName(int epoch) {
        return String.format("epoch-%03d", epoch);
    }

    /**
     * Writes {@code outputDir/epoch-NNN} with the adapter ({@code adapter_config.json},
     * {@code adapter_model.safetensors}) and the trainer state; replaces an existing folder of that name.
     *
     * @return the absolute checkpoint folder
     */
    public static Path write(Path outputDir, int epoch, LoraAdapter adapter, TrainerState.Meta meta,
                             Map<String, Tensor> stateTensors) {
        Path dir = outputDir.toAbsolutePath().resolve(folderName(epoch));
        AtomicOutput.writeFolder(dir, "training-checkpoint", AtomicOutput.Replace.OWN, tmp -> {
            // the adapter replaces the empty staged folder; the checkpoint's marker then replaces the adapter's
            adapter.save(tmp);
            TrainerState.write(tmp, meta, stateTensors);
        });
        return dir;
    }

    /** Moves the files of {@code from} into {@code to} and removes {@code from}. */
    private static void moveUp(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.list(from)) {
            for (Path f : (Iterable<Path>) s::iterator) {
                Files.move(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.delete(from);
    }

    /**
     * The highest complete epoch checkpoint in a run folder (checkpoints are moved into place atomically, so a folder
     * named {@code epoch-NNN} is complete).
     *
     * @param runDir the run's output folder
     * @return the epoch, or 0 when there is none (or no folder)
     */
    public static int latestEpoch(Path runDir) {
        if (!Files.isDirectory(runDir)) {
            return 0;
        }
        java.util.regex.Pattern name = java.util.regex.Pattern.compile("epoch-(\\d{3,})");
        try (Stream<Path> s = Files.list(runDir)) {
            return s.filter(Files::isDirectory).map(p -> name.matcher(p.getFileName().toString()))
                    .filter(java.util.regex.Matcher::matches).mapToInt(m -> Integer.parseInt(m.group(1))).max()
                    .orElse(0);
        } catch (IOException e) {
            throw new BayesLoraException("cannot list " + runDir + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code text} to {@code file} through a temporary file and an atomic rename. */
    public static void writeAtomically(Path file, String text) {
        AtomicOutput.writeString(file, text);
    }
}
