package ai.bayeslora.spark;

import ai.bayeslora.core.BayesLoraException;
import ai.bayeslora.core.DType;
import ai.bayeslora.core.data.PaperPrompts;
import ai.bayeslora.core.mcqa.ClassReduction;
import ai.bayeslora.laplace.LinearizedPredictive;
import ai.bayeslora.spark.internal.LocalCopies;
import ai.bayeslora.spark.internal.PartitionScorer;
import ai.bayeslora.spark.internal.PosteriorFolders;
import ai.bayeslora.spark.internal.QuestionColumns;
import ai.bayeslora.spark.internal.ScoringSpec;
import ai.bayeslora.uncertainty.MemberAveraging;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Scores a DataFrame of questions with a posterior's predictive uncertainty (docs/SPARK.md, "Scoring"): a Spark ML
 * {@link Transformer} that keeps every input column and row order and adds the class probabilities, the predicted
 * label, the confidence and the decomposed uncertainty. The numbers of a row are those of {@code bayeslora evaluate}
 * (the same posterior, built the same way, through {@code UncertaintyEstimator}) for the same batch of rows.
 *
 * <pre>{@code
 * Dataset<Row> scored = new UncertaintyScorer().setModel(SparkModel.of("hdfs:///models/llama"))
 *         .setPosteriorPath("hdfs:///runs/ensemble").setBatchSize(16).transform(questions);
 * }</pre>
 *
 * <p>Each executor JVM loads the model ({@link SparkModel#shared()}) and the posterior once and shares them between
 * its task threads; each partition is scored {@link #batchSize()} rows at a time. Rows with fewer choices than the
 * class set are scored over their own choices (the absent classes get probability 0 under answer tokens). Output
 * probabilities are in class order ({@link #classLabels()}, plus "other" last under the full-vocabulary reduction).
 *
 * <p>Bad input fails with a {@link BayesLoraException} naming the column, field or folder: on the driver where it
 * can be seen there (columns, local folders), else in the task, where Spark wraps it in a {@code SparkException}.
 */
public final class UncertaintyScorer extends Transformer {
    private static final long serialVersionUID = 1L;

    /** The stage's identifier. */
    private final String uid;

    /** The {@link #modelPath()} param. */
    private final Param<String> modelPath;
    /** The {@link #device()} param. */
    private final Param<String> device;
    /** The {@link #dtype()} param. */
    private final Param<String> dtype;
    /** The {@link #promptStyle()} param. */
    private final Param<String> promptStyle;
    /** The {@link #posteriorPath()} param. */
    private final Param<String> posteriorPath;
    /** The {@link #posteriorKind()} param. */
    private final Param<String> posteriorKind;
    /** The {@link #swagAdapterPath()} param. */
    private final Param<String> swagAdapterPath;
    /** The {@link #laplaceLink()} param. */
    private final Param<String> laplaceLink;
    /** The {@link #laplaceSampled()} param. */
    private final IntParam laplaceSampled;
    /** The {@link #samples()} param. */
    private final IntParam samples;
    /** The {@link #seed()} param. */
    private final LongParam seed;
    /** The {@link #reduction()} param. */
    private final Param<String> reduction;
    /** The {@link #averaging()} param. */
    private final Param<String> averaging;
    /** The {@link #batchSize()} param. */
    private final IntParam batchSize;
    /** The {@link #questionCol()} param. */
    private final Param<String> questionCol;
    /** The {@link #choicesCol()} param. */
    private final Param<String> choicesCol;
    /** The {@link #labelsCol()} param. */
    private final Param<String> labelsCol;
    /** The {@link #idCol()} param. */
    private final Param<String> idCol;
    /** The {@link #promptCol()} param. */
    private final Param<String> promptCol;
    /** The {@link #classLabels()} param. */
    private final StringArrayParam classLabels;
    /** The {@link #probabilitiesCol()} param. */
    private final Param<String> probabilitiesCol;
    /** The {@link #predictionCol()} param. */
    private final Param<String> predictionCol;
    /** The {@link #confidenceCol()} param. */
    private final Param<String> confidenceCol;
    /** The {@link #predictiveEntropyCol()} param. */
    private final Param<String> predictiveEntropyCol;
    /** The {@link #expectedEntropyCol()} param. */
    private final Param<String> expectedEntropyCol;
    /** The {@link #mutualInformationCol()} param. */
    private final Param<String> mutualInformationCol;

    /** A scorer with a random uid and every param at its default. */
    public UncertaintyScorer() {
        this(Identifiable.randomUID("uncertaintyScorer"));
    }

    /**
     * A scorer with the given uid (Spark's {@code copy} and persistence use this constructor).
     *
     * @param uid the stage's identifier
     */
    public UncertaintyScorer(String uid) {
        this.uid = uid;
        modelPath = new Param<>(this, "modelPath", "HF model folder: a local path or a Hadoop URI every executor "
                + "can read (required)");
        device = new Param<>(this, "device", "auto (the task's Spark GPU, else the CPU), cpu, cuda or cuda:N");
        dtype = new Param<>(this, "dtype", "compute dtype float32|float64|bfloat16|float16; empty: the device's "
                + "default");
        promptStyle = new Param<>(this, "promptStyle", "prompt format, a PaperPrompts.Style name (MMLU, "
                + "BALABANOV_CQA, YANG_CHOICES, YANG_WINOGRANDE, YANG_BOOLQ)");
        posteriorPath = new Param<>(this, "posteriorPath", "posterior folder: local path or Hadoop URI (required)");
        posteriorKind = new Param<>(this, "posteriorKind", "auto|ensemble|swag|laplace|adapter");
        swagAdapterPath = new Param<>(this, "swagAdapterPath", "the adapter a SWAG posterior was collected on; "
                + "empty: the swag output folder's adapter/");
        laplaceLink = new Param<>(this, "laplaceLink", "Laplace linearised predictive's link: mc or probit");
        laplaceSampled = new IntParam(this, "laplaceSampled", "Laplace weight-space predictive's S; 0: the "
                + "linearised predictive");
        samples = new IntParam(this, "samples", "SWAG samples or Laplace MC logit samples; 0: the default (the "
                + "SWAG posterior's S, 100)");
        seed = new LongParam(this, "seed", "sampling seed");
        reduction = new Param<>(this, "reduction", "answer-tokens|full-vocab; empty: the posterior's own (an "
                + "ensemble's saved one, else answer-tokens)");
        averaging = new Param<>(this, "averaging", "probabilities|logits: how members or samples are combined");
        batchSize = new IntParam(this, "batchSize", "prompts per forward pass");
        questionCol = new Param<>(this, "questionCol", "question column (string)");
        choicesCol = new Param<>(this, "choicesCol", "choices column (array<string>)");
        labelsCol = new Param<>(this, "labelsCol", "row labels column (array<string>, used if present)");
        idCol = new Param<>(this, "idCol", "row id column (used if present)");
        promptCol = new Param<>(this, "promptCol", "verbatim prompt column; empty: question and choices");
        classLabels = new StringArrayParam(this, "classLabels", "the class set; empty: the longest row labels, or "
                + "A, B, ... up to the most choices");
        probabilitiesCol = new Param<>(this, "probabilitiesCol", "output: class probabilities (array<double>)");
        predictionCol = new Param<>(this, "predictionCol", "output: predicted label (string)");
        confidenceCol = new Param<>(this, "confidenceCol", "output: the predicted class's probability");
        predictiveEntropyCol = new Param<>(this, "predictiveEntropyCol", "output: predictive entropy (nats)");
        expectedEntropyCol = new Param<>(this, "expectedEntropyCol", "output: expected entropy, aleatoric (nats)");
        mutualInformationCol = new Param<>(this, "mutualInformationCol", "output: mutual information, epistemic "
                + "(nats)");
        setDefault(device, "auto");
        setDefault(dtype, "");
        setDefault(promptStyle, PaperPrompts.Style.MMLU.name());
        setDefault(posteriorKind, PosteriorKind.AUTO.cliName());
        setDefault(swagAdapterPath, "");
        setDefault(laplaceLink, "mc");
        setDefault(laplaceSampled, 0);
        setDefault(samples, 0);
        setDefault(seed, 0L);
        setDefault(reduction, "");
        setDefault(averaging, MemberAveraging.PROBABILITIES.cliName());
        setDefault(batchSize, 8);
        setDefault(questionCol, McqaFrames.QUESTION);
        setDefault(choicesCol, McqaFrames.CHOICES);
        setDefault(labelsCol, McqaFrames.LABELS);
        setDefault(idCol, McqaFrames.ID);
        setDefault(promptCol, "");
        setDefault(classLabels, new String[0]);
        setDefault(probabilitiesCol, "probabilities");
        setDefault(predictionCol, "prediction");
        setDefault(confidenceCol, "confidence");
        setDefault(predictiveEntropyCol, "predictive_entropy");
        setDefault(expectedEntropyCol, "expected_entropy");
        setDefault(mutualInformationCol, "mutual_information");
    }

    @Override
    public String uid() {
        return uid;
    }

    /** {@return the param: the HF model folder, local or a Hadoop URI; required} */
    public Param<String> modelPath() {
        return modelPath;
    }

    /** {@return the param: the device request; default {@code auto}, the task's Spark GPU or else the CPU} */
    public Param<String> device() {
        return device;
    }

    /** {@return the param: the compute dtype; default empty, the device's default} */
    public Param<String> dtype() {
        return dtype;
    }

    /** {@return the param: the prompt format's {@link PaperPrompts.Style} name; default {@code MMLU}} */
    public Param<String> promptStyle() {
        return promptStyle;
    }

    /** {@return the param: the posterior folder, local or a Hadoop URI; required} */
    public Param<String> posteriorPath() {
        return posteriorPath;
    }

    /** {@return the param: the {@link PosteriorKind}; default {@code auto}, detected from the folder} */
    public Param<String> posteriorKind() {
        return posteriorKind;
    }

    /** {@return the param: a SWAG posterior's adapter folder; default empty, the swag output folder's adapter/} */
    public Param<String> swagAdapterPath() {
        return swagAdapterPath;
    }

    /** {@return the param: the Laplace linearised predictive's link, {@code mc} (default) or {@code probit}} */
    public Param<String> laplaceLink() {
        return laplaceLink;
    }

    /** {@return the param: S of the Laplace weight-space predictive; default 0, the linearised predictive} */
    public IntParam laplaceSampled() {
        return laplaceSampled;
    }

    /** {@return the param: SWAG samples or Laplace MC logit samples; default 0: the posterior's S, 100} */
    public IntParam samples() {
        return samples;
    }

    /** {@return the param: the sampling seed; default 0} */
    public LongParam seed() {
        return seed;
    }

    /** {@return the param: {@code answer-tokens} or {@code full-vocab}; default empty, the posterior's own} */
    public Param<String> reduction() {
        return reduction;
    }

    /** {@return the param: {@code probabilities} (default) or {@code logits}, docs/METHODS.md §4} */
    public Param<String> averaging() {
        return averaging;
    }

    /** {@return the param: prompts per forward pass; default 8} */
    public IntParam batchSize() {
        return batchSize;
    }

    /** {@return the param: the question column; default {@value McqaFrames#QUESTION}} */
    public Param<String> questionCol() {
        return questionCol;
    }

    /** {@return the param: the choices column; default {@value McqaFrames#CHOICES}} */
    public Param<String> choicesCol() {
        return choicesCol;
    }

    /** {@return the param: the row labels column, read if the frame has it; default {@value McqaFrames#LABELS}} */
    public Param<String> labelsCol() {
        return labelsCol;
    }

    /** {@return the param: the id column, read if the frame has it; default {@value McqaFrames#ID}} */
    public Param<String> idCol() {
        return idCol;
    }

    /** {@return the param: a verbatim prompt column scored over every class; default empty (question, choices)} */
    public Param<String> promptCol() {
        return promptCol;
    }

    /**
     * {@return the param: the class set; default empty: the longest value of the labels column if the frame has
     * one, else A, B, … up to the most choices of a row (one Spark job to find it)}
     */
    public StringArrayParam classLabels() {
        return classLabels;
    }

    /** {@return the param: output column of the class probabilities p̄, array&lt;double&gt;} */
    public Param<String> probabilitiesCol() {
        return probabilitiesCol;
    }

    /** {@return the param: output column of the predicted label (arg-max of p̄, ties to the first class)} */
    public Param<String> predictionCol() {
        return predictionCol;
    }

    /** {@return the param: output column of the confidence max_c p̄_c} */
    public Param<String> confidenceCol() {
        return confidenceCol;
    }

    /** {@return the param: output column of the predictive (total) entropy H[p̄], nats} */
    public Param<String> predictiveEntropyCol() {
        return predictiveEntropyCol;
    }

    /** {@return the param: output column of the expected (aleatoric) entropy E_s H[p_s], nats} */
    public Param<String> expectedEntropyCol() {
        return expectedEntropyCol;
    }

    /** {@return the param: output column of the mutual information (epistemic), nats} */
    public Param<String> mutualInformationCol() {
        return mutualInformationCol;
    }

    /**
     * Sets the model's path, device, dtype and prompt format.
     *
     * @param model the model description
     * @return this scorer
     */
    public UncertaintyScorer setModel(SparkModel model) {
        set(modelPath, model.path());
        set(device, model.device());
        set(dtype, model.dtype() == null ? "" : model.dtype().name());
        set(promptStyle, model.prompt().name());
        return this;
    }

    /**
     * {@return the model the params describe}
     *
     * @throws IllegalArgumentException if the model path is not set or a value does not parse
     */
    public SparkModel getModel() {
        if (!isDefined(modelPath)) {
            throw new IllegalArgumentException("UncertaintyScorer: modelPath is not set");
        }
        String d = getOrDefault(dtype);
        PaperPrompts.Style style;
        try {
            style = PaperPrompts.Style.valueOf(getOrDefault(promptStyle).trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("UncertaintyScorer: promptStyle must be one of "
                    + Arrays.toString(PaperPrompts.Style.values()) + ", got " + getOrDefault(promptStyle), e);
        }
        return new SparkModel(getOrDefault(modelPath), getOrDefault(device), d.isEmpty() ? null : DType.parse(d),
                style);
    }

    /**
     * @param value the model folder
     * @return this scorer
     */
    public UncertaintyScorer setModelPath(String value) {
        set(modelPath, value);
        return this;
    }

    /**
     * @param value the device request
     * @return this scorer
     */
    public UncertaintyScorer setDevice(String value) {
        set(device, value);
        return this;
    }

    /**
     * @param value the dtype name, or empty for the device's default
     * @return this scorer
     */
    public UncertaintyScorer setDtype(String value) {
        set(dtype, value);
        return this;
    }

    /**
     * @param value the prompt format
     * @return this scorer
     */
    public UncertaintyScorer setPromptStyle(PaperPrompts.Style value) {
        set(promptStyle, value.name());
        return this;
    }

    /**
     * @param value the posterior folder
     * @return this scorer
     */
    public UncertaintyScorer setPosteriorPath(String value) {
        set(posteriorPath, value);
        return this;
    }

    /**
     * @param value the posterior kind
     * @return this scorer
     */
    public UncertaintyScorer setPosteriorKind(PosteriorKind value) {
        set(posteriorKind, value.cliName());
        return this;
    }

    /**
     * @param value a SWAG posterior's adapter folder
     * @return this scorer
     */
    public UncertaintyScorer setSwagAdapterPath(String value) {
        set(swagAdapterPath, value);
        return this;
    }

    /**
     * @param value the Laplace linearised link
     * @return this scorer
     */
    public UncertaintyScorer setLaplaceLink(LinearizedPredictive.Link value) {
        set(laplaceLink, value == LinearizedPredictive.Link.PROBIT ? "probit" : "mc");
        return this;
    }

    /**
     * @param value S of the Laplace weight-space predictive, 0 for the linearised one
     * @return this scorer
     */
    public UncertaintyScorer setLaplaceSampled(int value) {
        set(laplaceSampled, value);
        return this;
    }

    /**
     * @param value SWAG or Laplace MC samples, 0 for the default
     * @return this scorer
     */
    public UncertaintyScorer setSamples(int value) {
        set(samples, value);
        return this;
    }

    /**
     * @param value the sampling seed
     * @return this scorer
     */
    public UncertaintyScorer setSeed(long value) {
        set(seed, value);
        return this;
    }

    /**
     * @param value the reduction, or null for the posterior's own
     * @return this scorer
     */
    public UncertaintyScorer setReduction(ClassReduction value) {
        set(reduction, value == null ? "" : value.cliName());
        return this;
    }

    /**
     * @param value the member averaging
     * @return this scorer
     */
    public UncertaintyScorer setAveraging(MemberAveraging value) {
        set(averaging, value.cliName());
        return this;
    }

    /**
     * @param value prompts per forward pass, at least 1
     * @return this scorer
     */
    public UncertaintyScorer setBatchSize(int value) {
        set(batchSize, value);
        return this;
    }

    /**
     * @param value the question column
     * @return this scorer
     */
    public UncertaintyScorer setQuestionCol(String value) {
        set(questionCol, value);
        return this;
    }

    /**
     * @param value the choices column
     * @return this scorer
     */
    public UncertaintyScorer setChoicesCol(String value) {
        set(choicesCol, value);
        return this;
    }

    /**
     * @param value the row labels column
     * @return this scorer
     */
    public UncertaintyScorer setLabelsCol(String value) {
        set(labelsCol, value);
        return this;
    }

    /**
     * @param value the id column
     * @return this scorer
     */
    public UncertaintyScorer setIdCol(String value) {
        set(idCol, value);
        return this;
    }

    /**
     * @param value the verbatim prompt column, or empty for question and choices
     * @return this scorer
     */
    public UncertaintyScorer setPromptCol(String value) {
        set(promptCol, value);
        return this;
    }

    /**
     * @param value the class set, for example A, B, C, D
     * @return this scorer
     */
    public UncertaintyScorer setClassLabels(List<String> value) {
        set(classLabels, value.toArray(new String[0]));
        return this;
    }

    /**
     * @param value the probabilities column
     * @return this scorer
     */
    public UncertaintyScorer setProbabilitiesCol(String value) {
        set(probabilitiesCol, value);
        return this;
    }

    /**
     * @param value the predicted label column
     * @return this scorer
     */
    public UncertaintyScorer setPredictionCol(String value) {
        set(predictionCol, value);
        return this;
    }

    /**
     * @param value the confidence column
     * @return this scorer
     */
    public UncertaintyScorer setConfidenceCol(String value) {
        set(confidenceCol, value);
        return this;
    }

    /**
     * @param value the predictive entropy column
     * @return this scorer
     */
    public UncertaintyScorer setPredictiveEntropyCol(String value) {
        set(predictiveEntropyCol, value);
        return this;
    }

    /**
     * @param value the expected entropy column
     * @return this scorer
     */
    public UncertaintyScorer setExpectedEntropyCol(String value) {
        set(expectedEntropyCol, value);
        return this;
    }

    /**
     * @param value the mutual information column
     * @return this scorer
     */
    public UncertaintyScorer setMutualInformationCol(String value) {
        set(mutualInformationCol, value);
        return this;
    }

    /** {@return the output column names: probabilities, prediction, confidence, H, E[H], MI} */
    List<String> outputColumns() {
        return List.of(getOrDefault(probabilitiesCol), getOrDefault(predictionCol), getOrDefault(confidenceCol),
                getOrDefault(predictiveEntropyCol), getOrDefault(expectedEntropyCol),
                getOrDefault(mutualInformationCol));
    }

    /**
     * The input schema with the six output columns added; checks the input columns and the settings.
     *
     * @param schema the input schema
     * @return the output schema
     * @throws BayesLoraException naming a missing or mistyped column, or an output column that already exists
     */
    @Override
    public StructType transformSchema(StructType schema) {
        List<String> names = Arrays.asList(schema.fieldNames());
        String prompt = getOrDefault(promptCol);
        if (!prompt.isEmpty()) {
            requireColumn(schema, prompt, DataTypes.StringType);
        } else {
            requireColumn(schema, getOrDefault(questionCol), DataTypes.StringType);
            requireColumn(schema, getOrDefault(choicesCol), DataTypes.createArrayType(DataTypes.StringType));
        }
        if (names.contains(getOrDefault(labelsCol))) {
            requireColumn(schema, getOrDefault(labelsCol), DataTypes.createArrayType(DataTypes.StringType));
        }
        StructType out = schema;
        List<String> outputs = outputColumns();
        DataType[] types = {DataTypes.createArrayType(DataTypes.DoubleType, false), DataTypes.StringType,
            DataTypes.DoubleType, DataTypes.DoubleType, DataTypes.DoubleType, DataTypes.DoubleType};
        for (int i = 0; i < outputs.size(); i++) {
            if (names.contains(outputs.get(i))) {
                throw new BayesLoraException("UncertaintyScorer: output column '" + outputs.get(i) + "' already "
                        + "exists in the input (columns " + names + "); set another name");
            }
            out = out.add(outputs.get(i), types[i], false);
        }
        return out;
    }

    /**
     * Scores every row (lazily: the work runs when the result is used).
     *
     * @param dataset the questions, with the input columns
     * @return the input rows, in order, with the output columns
     * @throws BayesLoraException on bad columns or a model or posterior folder that does not fit (local folders
     *     are checked here; remote ones in the tasks)
     */
    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        ScoringSpec spec = spec(dataset);
        JavaRDD<Row> scored = dataset.toDF().javaRDD()
                .mapPartitionsWithIndex((i, rows) -> new PartitionScorer(spec, i, rows), true);
        return dataset.sparkSession().createDataFrame(scored, out);
    }

    /** {@return a copy with the same uid and params, plus {@code extra}} */
    @Override
    public UncertaintyScorer copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    /** The settings as the tasks need them, checked; resolves the default class labels (one job). */
    private ScoringSpec spec(Dataset<?> dataset) {
        SparkModel model = getModel();
        if (!isDefined(posteriorPath)) {
            throw new IllegalArgumentException("UncertaintyScorer: posteriorPath is not set");
        }
        String posterior = getOrDefault(posteriorPath);
        PosteriorKind kind = PosteriorKind.parse(getOrDefault(posteriorKind));
        String swagAdapter = getOrDefault(swagAdapterPath).isEmpty() ? null : getOrDefault(swagAdapterPath);
        String link = getOrDefault(laplaceLink).trim().toLowerCase(Locale.ROOT);
        if (!link.equals("mc") && !link.equals("monte-carlo") && !link.equals("probit")) {
            throw new IllegalArgumentException("UncertaintyScorer: laplaceLink must be mc or probit, got " + link);
        }
        int sampled = (Integer) getOrDefault(laplaceSampled);
        int s = (Integer) getOrDefault(samples);
        int batch = (Integer) getOrDefault(batchSize);
        if (sampled < 0 || s < 0 || batch < 1) {
            throw new IllegalArgumentException("UncertaintyScorer: laplaceSampled and samples must be >= 0 and "
                    + "batchSize >= 1, got " + sampled + ", " + s + ", " + batch);
        }
        String red = getOrDefault(reduction);
        checkLocalFolders(model, posterior, kind, swagAdapter);
        String prompt = getOrDefault(promptCol);
        QuestionColumns columns = new QuestionColumns(getOrDefault(questionCol), getOrDefault(choicesCol),
                getOrDefault(labelsCol), getOrDefault(idCol), prompt.isEmpty() ? null : prompt);
        return new ScoringSpec(model, posterior, kind, swagAdapter,
                link.equals("probit") ? LinearizedPredictive.Link.PROBIT : LinearizedPredictive.Link.MONTE_CARLO,
                sampled, s, (Long) getOrDefault(seed), red.isEmpty() ? null : ClassReduction.parse(red),
                MemberAveraging.parse(getOrDefault(averaging)), batch, resolveClassLabels(dataset), columns);
    }

    /** Fails on the driver, naming the folder, when a local model or posterior folder does not fit. */
    private static void checkLocalFolders(SparkModel model, String posterior, PosteriorKind kind,
                                          String swagAdapter) {
        if (!LocalCopies.isRemote(model.path())) {
            Path dir = LocalCopies.folder(model.path());
            if (!Files.isRegularFile(dir.resolve("config.json"))) {
                throw new BayesLoraException("model folder " + model.path() + ": no config.json (expected an HF "
                        + "model folder)");
            }
        }
        if (!LocalCopies.isRemote(posterior) && (swagAdapter == null || !LocalCopies.isRemote(swagAdapter))) {
            PosteriorFolders.resolve(kind, LocalCopies.folder(posterior),
                    swagAdapter == null ? null : LocalCopies.folder(swagAdapter), posterior);
        }
    }

    private List<String> resolveClassLabels(Dataset<?> dataset) {
        String[] given = getOrDefault(classLabels);
        if (given.length > 0) {
            return List.of(given);
        }
        if (!getOrDefault(promptCol).isEmpty()) {
            throw new BayesLoraException("UncertaintyScorer: a verbatim prompt column ('" + getOrDefault(promptCol)
                    + "') needs classLabels");
        }
        String labels = getOrDefault(labelsCol);
        if (Arrays.asList(dataset.schema().fieldNames()).contains(labels)) {
            Row r = dataset.agg(functions.max_by(functions.col(labels), functions.size(functions.col(labels))))
                    .first();
            return r.isNullAt(0) ? List.of("A") : List.copyOf(r.getList(0));
        }
        Row r = dataset.agg(functions.max(functions.size(functions.col(getOrDefault(choicesCol))))).first();
        int n = r.isNullAt(0) ? 1 : r.getInt(0);
        if (n > 26) {
            throw new BayesLoraException("UncertaintyScorer: a row has " + n + " choices in column '"
                    + getOrDefault(choicesCol) + "'; set classLabels");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < Math.max(n, 1); i++) {
            out.add(String.valueOf((char) ('A' + i)));
        }
        return out;
    }

    private static void requireColumn(StructType schema, String name, DataType type) {
        if (!Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new BayesLoraException("UncertaintyScorer: no column '" + name + "' (columns "
                    + Arrays.toString(schema.fieldNames()) + ")");
        }
        StructField f = schema.apply(name);
        boolean ok = type instanceof ArrayType a ? f.dataType() instanceof ArrayType b
                && b.elementType().equals(a.elementType()) : f.dataType().equals(type);
        if (!ok) {
            throw new BayesLoraException("UncertaintyScorer: column '" + name + "' is " + f.dataType().simpleString()
                    + ", expected " + type.simpleString());
        }
    }
}
