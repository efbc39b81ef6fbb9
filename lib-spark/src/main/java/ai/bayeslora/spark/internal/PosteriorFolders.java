package ai.bayeslora.spark.internal;

import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.lora.ensemble.EnsembleManifest;
import ai.bayeslora.spark.PosteriorKind;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The folders of a posterior, found as {@code bayeslora evaluate} finds them (EvaluateCommand): an ensemble folder
 * or its train-ensemble parent's {@code ensemble-final}; a SWAG folder or a swag output folder's {@code posterior}
 * and {@code adapter}; a Laplace folder as it is; an adapter folder with adapter_config.json.
 *
 * @param kind the resolved kind (never AUTO)
 * @param posterior the posterior's own folder (the adapter folder for ADAPTER)
 * @param adapter the adapter a SWAG posterior is applied to, or null for the other kinds
 */
public record PosteriorFolders(PosteriorKind kind, Path posterior, Path adapter) {
    private static final String SWAG_FILE = "swag.json";
    private static final String ADAPTER_CONFIG = "adapter_config.json";

    /**
     * Resolves {@code dir} as {@code kind}.
     *
     * @param kind the requested kind; AUTO detects it when exactly one kind fits
     * @param dir the local posterior folder
     * @param swagAdapter the adapter folder of a SWAG posterior, or null (then a swag output folder's adapter/)
     * @param name how the folder is called in messages (the user's path)
     * @return the folders
     * @throws BayesLoraException naming the folder when it holds no posterior of that kind (or several kinds fit)
     */
    public static PosteriorFolders resolve(PosteriorKind kind, Path dir, Path swagAdapter, String name) {
        if (!Files.isDirectory(dir)) {
            throw new BayesLoraException("posterior folder " + name + ": no such folder");
        }
        PosteriorKind k = kind == PosteriorKind.AUTO ? detect(dir, name) : kind;
        switch (k) {
            case ENSEMBLE:
                return new PosteriorFolders(k, ensembleFolder(dir, name), null);
            case SWAG:
                return swag(dir, swagAdapter, name);
            case LAPLACE:
                if (!Files.isRegularFile(dir.resolve("manifest.json"))) {
                    throw new BayesLoraException("Laplace posterior folder " + name + ": no manifest.json (expected "
                            + "a laplace fit --out folder)");
                }
                return new PosteriorFolders(k, dir, null);
            default:
                requireAdapter(dir, "adapter folder " + name);
                return new PosteriorFolders(k, dir, null);
        }
    }

    private static PosteriorKind detect(Path dir, String name) {
        boolean ensemble = Files.isRegularFile(dir.resolve(EnsembleManifest.FILE))
                || Files.isRegularFile(dir.resolve("ensemble-final").resolve(EnsembleManifest.FILE));
        boolean swag = Files.isRegularFile(dir.resolve(SWAG_FILE))
                || Files.isRegularFile(dir.resolve("posterior").resolve(SWAG_FILE));
        boolean laplace = Files.isRegularFile(dir.resolve("manifest.json"))
                && Files.isRegularFile(dir.resolve("posterior.safetensors"));
        boolean adapter = Files.isRegularFile(dir.resolve(ADAPTER_CONFIG));
        int found = (ensemble ? 1 : 0) + (swag ? 1 : 0) + (laplace ? 1 : 0) + (adapter ? 1 : 0);
        if (found != 1) {
            throw new BayesLoraException("posterior folder " + name + ": "
                    + (found == 0 ? "holds no posterior (none of " + EnsembleManifest.FILE + ", ensemble-final/, "
                    + SWAG_FILE + ", posterior/" + SWAG_FILE + ", manifest.json with posterior.safetensors, "
                    + ADAPTER_CONFIG + ")" : "holds several kinds of posterior") + "; set the posterior kind");
        }
        return ensemble ? PosteriorKind.ENSEMBLE : swag ? PosteriorKind.SWAG
                : laplace ? PosteriorKind.LAPLACE : PosteriorKind.ADAPTER;
    }

    private static Path ensembleFolder(Path dir, String name) {
        if (Files.isRegularFile(dir.resolve(EnsembleManifest.FILE))) {
            return dir;
        }
        if (Files.isRegularFile(dir.resolve("ensemble-final").resolve(EnsembleManifest.FILE))) {
            return dir.resolve("ensemble-final");
        }
        throw new BayesLoraException("ensemble folder " + name + ": no " + EnsembleManifest.FILE + " (nor "
                + "ensemble-final/" + EnsembleManifest.FILE + ")");
    }

    private static PosteriorFolders swag(Path dir, Path swagAdapter, String name) {
        Path swagDir;
        Path adapterDir = swagAdapter;
        if (Files.isRegularFile(dir.resolve(SWAG_FILE))) {
            swagDir = dir;
        } else if (Files.isRegularFile(dir.resolve("posterior").resolve(SWAG_FILE))) {
            swagDir = dir.resolve("posterior");
            if (adapterDir == null) {
                adapterDir = dir.resolve("adapter");
            }
        } else {
            throw new BayesLoraException("SWAG folder " + name + ": neither " + SWAG_FILE + " nor posterior/"
                    + SWAG_FILE + " exists");
        }
        if (adapterDir == null) {
            throw new BayesLoraException("SWAG folder " + name + " needs the adapter it was collected on (the "
                    + "scorer's swagAdapterPath)");
        }
        requireAdapter(adapterDir, "SWAG adapter folder " + adapterDir);
        return new PosteriorFolders(PosteriorKind.SWAG, swagDir, adapterDir);
    }

    private static void requireAdapter(Path dir, String what) {
        if (!Files.isRegularFile(dir.resolve(ADAPTER_CONFIG))) {
            throw new BayesLoraException(what + ": no " + ADAPTER_CONFIG);
        }
    }
}
