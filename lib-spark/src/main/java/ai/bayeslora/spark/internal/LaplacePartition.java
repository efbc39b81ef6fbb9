package ai.bayeslora.spark.internal;

import ai.bayeslora.BayesLora;
import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.core.data.McqaBatcher;
import ai.bayeslora.core.data.McqaDataset;
import ai.bayeslora.core.data.McqaExample;
import ai.bayeslora.core.mcqa.AnswerScorer;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.core.progress.Progress;
import ai.bayeslora.laplace.CurvatureSums;
import ai.bayeslora.laplace.FisherEstimate;
import ai.bayeslora.laplace.KfacPositions;
import ai.bayeslora.laplace.LaplaceConfig;
import ai.bayeslora.laplace.LaplaceLoRA;
import ai.bayeslora.laplace.Structure;
import ai.bayeslora.lora.LoraAdapter;
import ai.bayeslora.spark.McqaFrames;
import ai.bayeslora.spark.SparkModel;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * The executor side of a Laplace fit over partitions: one partition's rows → the {@link CurvatureSums} of those rows,
 * taken on the executor JVM's shared model with the adapter loaded once per JVM, split into keyed pieces (one per
 * factor) for the reduction. An empty partition sends nothing (its sums are zero).
 *
 * @param model the base model
 * @param adapterPath the adapter folder, local or a Hadoop URI
 * @param classLabels the class set of the whole data (every partition scores the same classes)
 * @param batchSize rows per batch of the pass
 * @param maxLength the longest prompt in tokens (longer ones are truncated from the left)
 * @param structure curvature structure
 * @param fisher which labels weight the curvature
 * @param positions K-FAC positions
 * @param mcSamples MC labels per example
 * @param seed the fit's seed; partition i draws MC labels from a stream seeded by (seed, i)
 * @param modules module suffixes with a posterior
 */
public record LaplacePartition(SparkModel model, String adapterPath, List<String> classLabels, int batchSize,
                               int maxLength, Structure structure, FisherEstimate fisher, KfacPositions positions,
                               int mcSamples, long seed, List<String> modules)
        implements Function2<Integer, Iterator<Row>, Iterator<Tuple2<Integer, CurvatureSums>>>, Serializable {
    private static final long serialVersionUID = 1L;

    /** The key of the executor's shared adapter: everything it depends on. */
    private record AdapterKey(SparkModel model, ComputeDevice device, String adapterPath) {
    }

    /**
     * The accumulation part of {@code c} with the data settings.
     *
     * @param model the base model
     * @param adapterPath the adapter folder
     * @param classLabels the class set
     * @param batchSize rows per batch
     * @param maxLength the longest prompt in tokens
     * @param c the fit's configuration
     * @return the task
     */
    public static LaplacePartition of(SparkModel model, String adapterPath, List<String> classLabels, int batchSize,
                                      int maxLength, LaplaceConfig c) {
        return new LaplacePartition(model, adapterPath, List.copyOf(classLabels), batchSize, maxLength, c.structure(),
                c.fisher(), c.positions(), c.mcSamples(), c.seed(), List.copyOf(c.modules()));
    }

    /**
     * The adapter shared by this JVM's tasks (loaded once for the shared model; never close it).
     *
     * @param model the base model
     * @param adapterPath the adapter folder, local or a Hadoop URI
     * @return the adapter on {@code model.shared()}'s model
     */
    public static LoraAdapter sharedAdapter(SparkModel model, String adapterPath) {
        BayesLora b = model.shared();
        return ExecutorModels.shared(new AdapterKey(model, model.computeDevice(), adapterPath),
                k -> LoraAdapter.load(LocalCopies.folder(adapterPath), b.model()));
    }

    @Override
    public Iterator<Tuple2<Integer, CurvatureSums>> call(Integer partition, Iterator<Row> rows) {
        List<McqaExample> examples = new ArrayList<>();
        long i = 0;
        while (rows.hasNext()) {
            examples.add(McqaFrames.toExample(rows.next(), i++));
        }
        if (examples.isEmpty()) {
            return Collections.emptyIterator();
        }
        BayesLora b = model.shared();
        LoraAdapter adapter = sharedAdapter(model, adapterPath);
        McqaDataset data = McqaDataset.of("partition " + partition, classLabels, examples);
        McqaBatcher batcher = new McqaBatcher(b.tokenizer(), b.promptFormat(),
                McqaBatcher.Config.forTokenizer(b.tokenizer()).withMaxLength(maxLength));
        AnswerScorer scorer = new AnswerScorer(b.model(), b.answers(classLabels), ClassReduction.ANSWER_TOKENS);
        // the exact and empirical Fisher do not draw; MC labels come from a per-partition stream
        long partSeed = fisher == FisherEstimate.MC_SAMPLED ? seed ^ (0x9E3779B97F4A7C15L * (partition + 1)) : seed;
        LaplaceConfig c = LaplaceConfig.builder().structure(structure).fisher(fisher).positions(positions)
                .mcSamples(mcSamples).seed(partSeed).modules(modules).build();
        CurvatureSums sums = LaplaceLoRA.fit(scorer, adapter, batcher.batches(data, batchSize)).config(c)
                .progress(Progress.none(), 0).statistics();
        List<Tuple2<Integer, CurvatureSums>> out = new ArrayList<>();
        List<CurvatureSums> pieces = sums.pieces();
        for (int k = 0; k < pieces.size(); k++) {
            out.add(new Tuple2<>(k, pieces.get(k)));
        }
        return out.iterator();
    }
}
