package ai.bayeslora.lora.ensemble;

import ai.bayeslora.core.model.BaseModelFingerprint;
import ai.bayeslora.core.mcqa.ClassReduction;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * The contents of an ensemble folder's {@code ensemble.json}: which peft adapter folders are the members, which base
 * model they belong to, and how they were scored. Written by {@link LoraEnsemble#save}, validated by
 * {@link LoraEnsemble#load}.
 *
 * @param formatVersion manifest format version ({@link #FORMAT_VERSION} when written by this library)
 * @param members the member folders in member order, with their seeds when known
 * @param baseModel the base model the members were trained on
 * @param reduction the class reduction the ensemble was used with
 * @param classLabels the predictive's class labels when saved (the training dataset's letters, plus "other" under
 *                    the full-vocabulary reduction); informational, since the class set belongs to the dataset
 */
public record EnsembleManifest(int formatVersion, List<Member> members, BaseModelFingerprint baseModel,
                               ClassReduction reduction, List<String> classLabels) {
    /** The manifest's file name inside an ensemble folder. */
    public static final String FILE = "ensemble.json";
    /** The value of the manifest's {@code format} field. */
    public static final String FORMAT = "bayeslora-lora-ensemble";
    /** The format version this library writes and reads. */
    public static final int FORMAT_VERSION = 1;

    /**
     * Copies the lists and checks that the base model and reduction are present.
     *
     * @param formatVersion manifest format version ({@link #FORMAT_VERSION} when written by this library)
     * @param members the member folders in member order, with their seeds when known
     * @param baseModel the base model the members were trained on
     * @param reduction the class reduction the ensemble was used with
     * @param classLabels the predictive's class labels when saved (the training dataset's letters, plus "other" under
     *     the full-vocabulary reduction); informational, since the class set belongs to the dataset
     */
    public EnsembleManifest {
        members = List.copyOf(members);
        Objects.requireNonNull(baseModel, "baseModel");
        Objects.requireNonNull(reduction, "reduction");
        classLabels = List.copyOf(classLabels);
    }

    /**
     * One member.
     *
     * @param folder the member's peft adapter folder, relative to the ensemble folder (e.g. {@code member-00})
     * @param seed the seed of its A initialisation, dropout and data order, if known
     */
    public record Member(String folder, OptionalLong seed) {
        /**
         * Checks that both fields are present.
         *
         * @param folder the member's peft adapter folder, relative to the ensemble folder (e.g. {@code member-00})
         * @param seed the seed of its A initialisation, dropout and data order, if known
         */
        public Member {
            Objects.requireNonNull(folder, "folder");
            Objects.requireNonNull(seed, "seed");
        }
    }

    /**
     * {@return the conventional folder name of member {@code index}: {@code member-00}, {@code member-01}, …}
     *
     * @param index the 0-based member index
     */
    public static String folderName(int index) {
        return String.format("member-%02d", index);
    }
}
