package ai.bayeslora.examples.cli;

import ai.bayeslora.core.model.ModelLocator;
import ai.bayeslora.core.model.ModelNotFoundException;
import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * {@code --model DIR|org/name[@revision]}: a model folder, or an HF id resolved in the local HF cache by
 * {@link ModelLocator} (never downloaded). Not found is a usage error (exit 2) that lists every place looked at.
 */
final class ModelDirConverter implements ITypeConverter<Path> {
    /** Help text shared by every --model option. */
    static final String HELP = "HF model folder (config.json, *.safetensors, tokenizer.json), or an HF id org/name "
            + "(optionally @revision) found in the local HF cache ($HF_HUB_CACHE, $HF_HOME/hub or "
            + "~/.cache/huggingface/hub); nothing is downloaded.";

    @Override
    public Path convert(String value) {
        try {
            return ModelLocator.standard().locate(value);
        } catch (ModelNotFoundException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
