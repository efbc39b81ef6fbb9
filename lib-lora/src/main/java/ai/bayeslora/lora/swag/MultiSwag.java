package ai.bayeslora.lora.swag;

import ai.bayeslora.core.data.EncodedBatch;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.uncertainty.PosteriorPredictive;
import ai.bayeslora.uncertainty.ProbabilitySamples;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * MultiSWAG (docs/METHODS.md §5): an ensemble of independent SWAG runs. Its predictive concatenates the runs' samples, run
 * after run, so S_total = runs × S and the mean over all of them is the predictive. Run r draws its samples from the
 * r-th {@code nextLong()} of {@code new SplittableRandom(seed)}. Borrows the posteriors, adapter and scorer; safe to
 * call from several threads (see {@link SwagPredictive}).
 */
public final class MultiSwag implements PosteriorPredictive {
    private final List<SwagPredictive> runs;
    private final int samplesPerRun;

    /**
     * MultiSWAG over independent SWAG runs, S samples from each.
     *
     * @param posteriors one posterior per independent run, all with the adapter's parameter layout
     * @param samplesPerRun S per run
     * @param adapter the adapter the samples are loaded into
     * @param scorer scores the classes (its model is the adapter's)
     * @param seed seeds the runs' draws (one seed per run is drawn from it)
     */
    public MultiSwag(List<SwagPosterior> posteriors, LoraAdapter adapter, AnswerScorer scorer, int samplesPerRun,
                     long seed) {
        if (posteriors.isEmpty()) {
            throw new IllegalArgumentException("MultiSWAG needs at least one SWAG run");
        }
        SplittableRandom seeds = new SplittableRandom(seed);
        List<SwagPredictive> r = new ArrayList<>();
        for (SwagPosterior p : posteriors) {
            r.add(p.predictive(adapter, scorer, samplesPerRun, seeds.nextLong()));
        }
        this.runs = List.copyOf(r);
        this.samplesPerRun = samplesPerRun;
    }

    private MultiSwag(List<SwagPredictive> runs, int samplesPerRun) {
        this.runs = List.copyOf(runs);
        this.samplesPerRun = samplesPerRun;
    }

    /**
     * As the full constructor with S per run from the first run's {@link SwagConfig#samples()}.
     *
     * @param posteriors one posterior per independent run, all with the adapter's parameter layout
     * @param adapter the adapter the samples are loaded into
     * @param scorer scores the classes (its model is the adapter's)
     * @param seed seeds the runs' draws (one seed per run is drawn from it)
     */
    public MultiSwag(List<SwagPosterior> posteriors, LoraAdapter adapter, AnswerScorer scorer, long seed) {
        this(posteriors, adapter, scorer, posteriors.isEmpty() ? 1 : posteriors.get(0).config().samples(), seed);
    }

    @Override
    public ProbabilitySamples predict(EncodedBatch batch) {
        List<ProbabilitySamples> parts = new ArrayList<>();
        for (SwagPredictive run : runs) {
            parts.add(run.predict(batch));
        }
        int b = batch.batchSize();
        int c = classLabels().size();
        int block = samplesPerRun * b * c; // [S, B, C] row-major: a run's samples are one contiguous block
        double[] out = new double[runs.size() * block];
        for (int r = 0; r < parts.size(); r++) {
            System.arraycopy(parts.get(r).toArray(), 0, out, r * block, block);
        }
        return new ProbabilitySamples(out, runs.size() * samplesPerRun, b, c, classLabels());
    }

    @Override
    public List<String> classLabels() {
        return runs.get(0).classLabels();
    }

    @Override
    public ai.bayeslora.core.mcqa.ClassReduction reduction() {
        return runs.get(0).reduction();
    }

    @Override
    public PosteriorPredictive rescored(ai.bayeslora.core.text.AnswerTokens answers,
                                        ai.bayeslora.core.mcqa.ClassReduction reduction) {
        List<SwagPredictive> r = new ArrayList<>();
        for (SwagPredictive run : runs) {
            r.add((SwagPredictive) run.rescored(answers, reduction));
        }
        return new MultiSwag(r, samplesPerRun);
    }

    @Override
    public String name() {
        return "multiswag (runs=" + runs.size() + ", S=" + runs.size() * samplesPerRun + ")";
    }

    /** {@return the number of runs} */
    public int runs() {
        return runs.size();
    }
}
