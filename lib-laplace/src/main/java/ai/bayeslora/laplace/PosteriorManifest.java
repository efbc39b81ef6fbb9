package ai.bayeslora.laplace;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The fields of a posterior folder's {@code manifest.json} (docs/LAPLACE.md, "Persistence"), read without loading the
 * posterior: {@link LaplacePosterior#readManifest}.
 *
 * @param structure the curvature structure
 * @param fisher the Fisher estimate of the fit
 * @param priorPrecisions λ per parameter block (all equal for a scalar prior)
 * @param examples N, the number of fit examples
 * @param parameters P, the number of parameters
 * @param logLikelihood log p(D | θ*) of the fit data
 * @param logEvidence the log marginal likelihood at the saved λ
 * @param classLabels the class labels of the fit
 * @param modules the adapted modules the posterior covers
 * @param modelPath the base model folder recorded at fit time, if any
 * @param adapterPath the adapter folder recorded at fit time, if any
 * @param dtype the compute dtype of the fit (HF name, e.g. {@code float32})
 */
public record PosteriorManifest(Structure structure, FisherEstimate fisher, double[] priorPrecisions, long examples,
                                long parameters, double logLikelihood, double logEvidence, List<String> classLabels,
                                List<String> modules, Optional<Path> modelPath, Optional<Path> adapterPath,
                                String dtype) {
    /**
     * Copies the lists and the array.
     *
     * @param structure the curvature structure
     * @param fisher the Fisher estimate of the fit
     * @param priorPrecisions λ per parameter block (all equal for a scalar prior)
     * @param examples N, the number of fit examples
     * @param parameters P, the number of parameters
     * @param logLikelihood log p(D | θ*) of the fit data
     * @param logEvidence the log marginal likelihood at the saved λ
     * @param classLabels the class labels of the fit
     * @param modules the adapted modules the posterior covers
     * @param modelPath the base model folder recorded at fit time, if any
     * @param adapterPath the adapter folder recorded at fit time, if any
     * @param dtype the compute dtype of the fit (HF name, e.g. {@code float32})
     */
    public PosteriorManifest {
        priorPrecisions = priorPrecisions.clone();
        classLabels = List.copyOf(classLabels);
        modules = List.copyOf(modules);
    }

    /** {@return λ per parameter block (a copy)} */
    @Override
    public double[] priorPrecisions() {
        return priorPrecisions.clone();
    }

    static PosteriorManifest of(Path dir, JsonNode m) {
        Path file = dir.resolve(PosteriorFiles.MANIFEST);
        List<String> labels = new ArrayList<>();
        require(m, file, "class_labels").forEach(n -> labels.add(n.asText()));
        List<String> modules = new ArrayList<>();
        require(m, file, "modules").forEach(n -> modules.add(n.asText()));
        JsonNode pl = require(m, file, "prior_precisions");
        double[] lambdas = new double[pl.size()];
        for (int i = 0; i < lambdas.length; i++) {
            lambdas[i] = pl.get(i).asDouble();
        }
        String model = m.path("model_path").asText("");
        String adapter = m.path("adapter_path").asText("");
        return new PosteriorManifest(Structure.parse(require(m, file, "structure").asText()),
                FisherEstimate.valueOf(require(m, file, "fisher").asText().toUpperCase(Locale.ROOT)), lambdas,
                require(m, file, "num_examples").asLong(), require(m, file, "num_parameters").asLong(),
                require(m, file, "log_likelihood").asDouble(), require(m, file, "log_evidence").asDouble(), labels,
                modules, model.isEmpty() ? Optional.empty() : Optional.of(Path.of(model)),
                adapter.isEmpty() ? Optional.empty() : Optional.of(Path.of(adapter)),
                m.path("dtype").asText("float32"));
    }

    private static JsonNode require(JsonNode m, Path file, String name) {
        JsonNode n = m.get(name);
        if (n == null || n.isNull()) {
            throw new PosteriorFormatException(file, "missing field \"" + name + "\"");
        }
        return n;
    }
}
