package ai.bayeslora.spark;

import java.util.Locale;

/**
 * Which posterior a scorer's folder holds (docs/SPARK.md, "Scoring"); the same kinds as {@code bayeslora evaluate}'s
 * {@code --ensemble}, {@code --swag}, {@code --laplace} and {@code --adapter}.
 */
public enum PosteriorKind {
    /** Detected from the folder's files: ensemble.json, swag.json, a Laplace manifest, adapter_config.json. */
    AUTO,
    /** A saved LoRA ensemble (ensemble.json), or a train-ensemble output folder holding ensemble-final/. */
    ENSEMBLE,
    /** A SWAG posterior (swag.json) with the adapter it was collected on; a swag output folder holds both. */
    SWAG,
    /** A Laplace-LoRA posterior folder (laplace fit --out): manifest.json and posterior.safetensors. */
    LAPLACE,
    /** A single peft adapter: the MAP point estimate, one sample. */
    ADAPTER;

    /**
     * The kind named {@code text} (case-insensitive).
     *
     * @param text auto, ensemble, swag, laplace or adapter
     * @return the kind
     * @throws IllegalArgumentException naming the accepted values for any other text
     */
    public static PosteriorKind parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("posterior kind must be auto, ensemble, swag, laplace or adapter, got '"
                    + text + "'", e);
        }
    }

    /** {@return the lower-case name, as {@link #parse} reads it} */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
