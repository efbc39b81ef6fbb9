package ai.bayeslora.spark.internal;

import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.laplace.LinearizedPredictive;
import ai.bayeslora.spark.PosteriorKind;
import ai.bayeslora.spark.SparkModel;
import ai.bayeslora.uncertainty.MemberAveraging;
import java.io.Serializable;
import java.util.List;

/**
 * Everything a task needs to score rows, resolved from the scorer's params on the driver and shipped with the
 * closure (docs/SPARK.md, "Scoring").
 *
 * @param model the base model
 * @param posteriorPath the posterior folder, local or a Hadoop URI
 * @param kind the posterior kind (AUTO: detected in the task)
 * @param swagAdapterPath the adapter of a SWAG posterior, or null
 * @param link the Laplace linearised predictive's link
 * @param sampled S of the Laplace weight-space predictive, 0 for the linearised one
 * @param samples SWAG samples or Laplace MC logit samples, 0 for the default (the posterior's S; 100)
 * @param seed the sampling seed
 * @param reduction the class reduction, or null for the posterior's own (an ensemble's saved one, else answer tokens)
 * @param averaging how samples are combined
 * @param batchSize prompts per forward pass
 * @param classLabels the class set
 * @param columns where the questions are read from
 */
public record ScoringSpec(SparkModel model, String posteriorPath, PosteriorKind kind, String swagAdapterPath,
                          LinearizedPredictive.Link link, int sampled, int samples, long seed,
                          ClassReduction reduction, MemberAveraging averaging, int batchSize,
                          List<String> classLabels, QuestionColumns columns) implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * Copies the class labels.
     *
     * @param model the base model
     * @param posteriorPath the posterior folder
     * @param kind the posterior kind
     * @param swagAdapterPath the SWAG adapter, or null
     * @param link the Laplace link
     * @param sampled Laplace weight-space S, or 0
     * @param samples samples, or 0 for the default
     * @param seed the seed
     * @param reduction the reduction, or null
     * @param averaging the averaging
     * @param batchSize prompts per pass
     * @param classLabels the class set
     * @param columns the input columns
     */
    public ScoringSpec {
        classLabels = List.copyOf(classLabels);
    }

    /**
     * {@return the identity of the loaded posterior: everything it depends on, the model and its resolved device
     * included (not the averaging nor the batch size, which only the estimator uses)}
     *
     * @param device the resolved device in this task
     */
    public Object posteriorKey(ai.bayeslora.core.ComputeDevice device) {
        return List.of("posterior", model, device, posteriorPath, kind, String.valueOf(swagAdapterPath), link,
                sampled, samples, seed, String.valueOf(reduction), classLabels);
    }
}
