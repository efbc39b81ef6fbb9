package ai.bayeslora.spark.internal;

import ai.bayeslora.BayesLora;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.lora.ensemble.EnsembleOptions;
import ai.bayeslora.lora.ensemble.LoraEnsemble;
import ai.bayeslora.spark.SparkModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.function.Function;

/**
 * The one task that saves the trained members' final checkpoints as an ensemble folder ({@link LoraEnsemble#save}:
 * {@code ensemble.json} and {@code member-MM/}), on an executor, which has the model loaded already.
 *
 * @param model the base model
 * @param checkpoints per member its final checkpoint folder, in member order
 * @param seeds per member its seed
 * @param classLabels the training set's class set (the ensemble's answer tokens)
 * @param reduction the class reduction the members were trained with
 * @param target the ensemble folder to write
 */
public record FinalEnsembleTask(SparkModel model, ArrayList<String> checkpoints, ArrayList<Long> seeds,
                                ArrayList<String> classLabels, ClassReduction reduction, String target)
        implements Function<Integer, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String call(Integer ignored) {
        BayesLora shared = model.shared();
        LoraEnsemble.Builder b = LoraEnsemble.builder(shared.model(), shared.answers(List.copyOf(classLabels)))
                .options(EnsembleOptions.builder().reduction(reduction).build());
        List<LoraAdapter> loaded = new ArrayList<>();
        try {
            for (int m = 0; m < checkpoints.size(); m++) {
                LoraAdapter a = LoraAdapter.load(Path.of(checkpoints.get(m)), shared.model());
                loaded.add(a);
                b.member(a, seeds.get(m));
            }
        } catch (RuntimeException e) {
            loaded.forEach(LoraAdapter::close);
            throw e;
        }
        try (LoraEnsemble ensemble = b.build()) {
            ensemble.save(Path.of(target));
        }
        return target;
    }
}
