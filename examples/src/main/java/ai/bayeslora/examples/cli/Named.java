package ai.bayeslora.examples.cli;

import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.text.AnswerTokens;
import ai.bayeslora.uncertainty.PosteriorPredictive;
import ai.bayeslora.uncertainty.ProbabilitySamples;
import java.util.List;

/** A posterior under another name in tables and reports (e.g. "ensemble (M=5): cqa vs mmlu-stem"). */
record Named(PosteriorPredictive inner, String name) implements PosteriorPredictive {
    @Override
    public ProbabilitySamples predict(EncodedBatch batch) {
        return inner.predict(batch);
    }

    @Override
    public List<String> classLabels() {
        return inner.classLabels();
    }

    @Override
    public ClassReduction reduction() {
        return inner.reduction();
    }

    @Override
    public PosteriorPredictive rescored(AnswerTokens answers, ClassReduction reduction) {
        return new Named(inner.rescored(answers, reduction), name);
    }
}
