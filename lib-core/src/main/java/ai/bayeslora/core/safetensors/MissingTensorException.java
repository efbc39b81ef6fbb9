package ai.bayeslora.core.safetensors;

import java.nio.file.Path;
import java.util.Collection;
import java.util.stream.Collectors;

/**
 * A tensor was requested by a name the file or checkpoint does not hold. The message lists a few available names.
 */
public class MissingTensorException extends SafetensorsFormatException {
    private static final long serialVersionUID = 1L;
    private static final int SHOWN = 8;

    /**
     * @param file the file or checkpoint folder searched
     * @param tensorName the name that was asked for
     * @param available the names that exist (the first few are quoted in the message)
     */
    public MissingTensorException(Path file, String tensorName, Collection<String> available) {
        super(file, tensorName, Reason.MISSING_TENSOR, "no such tensor; " + describe(available));
    }

    private static String describe(Collection<String> available) {
        if (available.isEmpty()) {
            return "the file holds no tensors";
        }
        String shown = available.stream().limit(SHOWN).collect(Collectors.joining(", "));
        int more = available.size() - SHOWN;
        return available.size() + " available, e.g. " + shown + (more > 0 ? ", ... (" + more + " more)" : "");
    }
}
