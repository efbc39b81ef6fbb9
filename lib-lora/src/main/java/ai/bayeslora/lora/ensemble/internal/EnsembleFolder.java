package ai.bayeslora.lora.ensemble.internal;

import ai.bayeslora.core.io.AtomicOutput;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.core.model.BaseModelFingerprint;
import ai.bayeslora.lora.ensemble.BaseModelMismatchException;
import ai.bayeslora.lora.ensemble.EnsembleFormatException;
import ai.bayeslora.lora.ensemble.EnsembleManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ensemble on disk: a folder of peft adapter folders ({@code member-00/}, {@code member-01/}, …) plus
 * {@code ensemble.json}. Writes are atomic: everything goes to a temporary sibling folder that is then moved into
 * place, so a crash leaves either the old ensemble or the new one, never a mixture.
 */
public final class EnsembleFolder {
    private static final Logger LOG = LoggerFactory.getLogger(EnsembleFolder.class);

    private EnsembleFolder() {
    }

    /** Members loaded from a folder, with its manifest. The caller owns the adapters. */
    public record Loaded(EnsembleManifest manifest, List<LoraAdapter> members) {
    }

    /** Writes {@code members} (aligned with {@code manifest.members()}) and the manifest to {@code dir}. */
    public static void save(Path dir, List<LoraAdapter> members, EnsembleManifest manifest,
                            AtomicOutput.Replace replace) {
        if (members.size() != manifest.members().size()) {
            throw new IllegalArgumentException(members.size() + " members but the manifest lists "
                    + manifest.members().size());
        }
        AtomicOutput.writeFolder(dir, "lora-ensemble", replace, tmp -> {
            for (int m = 0; m < members.size(); m++) {
                members.get(m).save(tmp.resolve(manifest.members().get(m).folder()));
            }
            AtomicOutput.writeString(tmp.resolve(EnsembleManifest.FILE), ManifestJson.write(manifest));
        });
    }

    /**
     * Reads the manifest, checks it was written for {@code model}, and loads every member folder.
     *
     * @throws EnsembleFormatException if the manifest is malformed or a member folder is missing
     * @throws BaseModelMismatchException if the members belong to another base model
     */
    public static Loaded load(Path dir, CausalLM model) {
        if (!Files.isDirectory(dir)) {
            throw new EnsembleFormatException(dir + ": ensemble folder not found");
        }
        EnsembleManifest manifest = ManifestJson.read(dir);
        checkBase(dir, manifest.baseModel(), BaseModelFingerprint.of(model));
        for (EnsembleManifest.Member m : manifest.members()) {
            if (!Files.isDirectory(dir.resolve(m.folder()))) {
                throw new EnsembleFormatException(dir.resolve(EnsembleManifest.FILE) + ": member folder '" + m.folder()
                        + "' is listed but missing from " + dir);
            }
        }
        List<LoraAdapter> loaded = new ArrayList<>();
        try {
            for (EnsembleManifest.Member m : manifest.members()) {
                loaded.add(LoraAdapter.load(dir.resolve(m.folder()), model));
            }
        } catch (RuntimeException e) {
            loaded.forEach(LoraAdapter::close);
            throw e;
        }
        return new Loaded(manifest, loaded);
    }

    private static void checkBase(Path dir, BaseModelFingerprint saved, BaseModelFingerprint actual) {
        List<String> d = saved.differences(actual);
        if (!d.isEmpty()) {
            throw new BaseModelMismatchException(dir.resolve(EnsembleManifest.FILE) + ": the ensemble was saved for "
                    + "another base model (" + saved.path() + ") than the one given (" + actual.path() + "): "
                    + String.join("; ", d) + " (saved vs given)");
        }
        if (saved.configSha256() != null && actual.configSha256() != null
                && !saved.configSha256().equals(actual.configSha256())) {
            LOG.warn("{}: config.json differs from the one the ensemble was saved with ({} vs {}), but the shapes and "
                    + "the weights probe match; loading", dir, saved.path(), actual.path());
        }
    }
}
