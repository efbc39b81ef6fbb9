package ai.bayeslora.lora.ensemble;

import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.model.CausalLM;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.LoraConfig;
import ai.bayeslora.lora.train.LoraTrainer;
import ai.bayeslora.lora.train.TrainingConfig;
import ai.bayeslora.lora.train.TrainingListener;
import ai.bayeslora.lora.train.TrainingResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a deep ensemble of M LoRA adapters on one frozen base model (METHODS.md §4): member m gets its own seed
 * {@code baseSeed + m} for the A initialisation, the LoRA dropout masks and the data order, and its own output folder
 * {@code member-MM/} with per-epoch checkpoints (the per-epoch evolution is part of the science: epoch 1 underfits,
 * 3 is best, 6 and 10 overfit in Balabanov &amp; Linander 2024).
 *
 * <p>Members are trained one after another; the base weights are shared, so memory is one model plus one member's
 * training state at a time.
 */
public final class EnsembleTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(EnsembleTrainer.class);

    private final LoraConfig lora;
    private final TrainingConfig training;
    private final int members;
    private final long baseSeed;
    private IntFunction<TrainingListener> listeners = m -> null;

    /**
     * @param lora the adapter layout of every member
     * @param training the training configuration; its seed is replaced by {@code baseSeed + m} per member
     * @param members M ≥ 1
     * @param baseSeed member m uses seed {@code baseSeed + m}
     */
    public EnsembleTrainer(LoraConfig lora, TrainingConfig training, int members, long baseSeed) {
        if (members < 1) {
            throw new IllegalArgumentException("an ensemble needs M >= 1 members, got " + members);
        }
        this.lora = Objects.requireNonNull(lora, "lora");
        this.training = Objects.requireNonNull(training, "training");
        this.members = members;
        this.baseSeed = baseSeed;
    }

    /** A listener per member (e.g. SWAG collection for MultiSWAG); null entries mean none. */
    public EnsembleTrainer withListeners(IntFunction<TrainingListener> perMember) {
        this.listeners = Objects.requireNonNull(perMember);
        return this;
    }

    /** The seed of member m. */
    public long seed(int member) {
        return baseSeed + member;
    }

    /** Output folder of member m under {@code outputDir}. */
    public static Path memberDir(Path outputDir, int member) {
        return outputDir.resolve(String.format("member-%02d", member));
    }

    /** The result: per-member training results and the ensemble of the members' final adapters. */
    public record Result(List<TrainingResult> members, LoraEnsemble ensemble) {
    }

    /**
     * Trains every member and returns the ensemble of their final adapters (owned by the returned ensemble; close it).
     * A member whose folder already holds a finished run is trained again from scratch; resume a member with
     * {@link LoraTrainer#resume}.
     *
     * @param answers the class set the ensemble scores (the training data's classes)
     */
    public Result train(CausalLM model, McqaBatcher batcher, AnswerTokens answers, McqaDataset train,
                        Optional<McqaDataset> validation, Path outputDir, EnsembleOptions options) {
        List<TrainingResult> results = new ArrayList<>();
        List<LoraAdapter> adapters = new ArrayList<>();
        try {
            for (int m = 0; m < members; m++) {
                long seed = seed(m);
                LOG.info("Ensemble member {}/{} (seed {})", m + 1, members, seed);
                LoraAdapter adapter = LoraAdapter.create(model, lora, seed);
                adapters.add(adapter);
                adapter.attach();
                LoraTrainer trainer = new LoraTrainer(training.toBuilder().seed(seed).build());
                TrainingListener l = listeners.apply(m);
                if (l != null) {
                    trainer = trainer.withListener(l);
                }
                results.add(trainer.train(adapter, batcher, train, validation, memberDir(outputDir, m)));
                adapter.detach();
            }
            LoraEnsemble.Builder b = LoraEnsemble.builder(model, answers).options(options);
            for (int m = 0; m < members; m++) {
                b.member(adapters.get(m), seed(m));
            }
            return new Result(results, b.build());
        } catch (RuntimeException e) {
            adapters.forEach(LoraAdapter::close);
            throw e;
        }
    }
}
