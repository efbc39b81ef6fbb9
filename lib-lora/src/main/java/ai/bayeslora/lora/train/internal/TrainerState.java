package ai.bayeslora.lora.train.internal;

import ai.bayeslora.core.safetensors.SafetensorsFile;
import ai.bayeslora.core.safetensors.SafetensorsWriter;
import ai.bayeslora.lora.train.TrainerStateException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.bytedeco.pytorch.Tensor;

/**
 * What a checkpoint needs besides the peft adapter to continue training exactly: {@value #JSON_FILE} (counters,
 * config, data-order state, metric history) and {@value #TENSOR_FILE} with
 * <ul>
 *   <li>{@code param/<peft name>}: the parameters in their training dtype (the peft file stores float32),</li>
 *   <li>{@code optimizer/<peft name>/<state>}: {@code exp_avg}, {@code exp_avg_sq} (AdamW) or
 *       {@code momentum_buffer} (SGD),</li>
 *   <li>{@value #DROPOUT_RNG_KEY}: the LoRA dropout generator state (uint8), when dropout is used.</li>
 * </ul>
 * The data order needs no tensor: each epoch's permutation is a function of (seed, epoch), see {@link DataOrder}.
 */
public final class TrainerState {
    public static final String JSON_FILE = "trainer_state.json";
    public static final String TENSOR_FILE = "trainer_state.safetensors";
    public static final String DROPOUT_RNG_KEY = "rng/dropout_cpu";
    static final String FORMAT = "bayeslora-trainer-state";
    static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TrainerState() {
    }

    /** Key of a parameter's value. */
    public static String paramKey(String name) {
        return "param/" + name;
    }

    /** Key of one optimizer state tensor of a parameter. */
    public static String optimizerKey(String name, String state) {
        return "optimizer/" + name + "/" + state;
    }

    /**
     * One completed epoch, as stored in the history.
     *
     * @param checkpoint absolute path of the epoch's checkpoint, if written
     */
    public record EpochRecord(int epoch, long globalStep, double trainLoss, double trainAccuracy,
                              OptionalDouble validationNll, OptionalDouble validationAccuracy,
                              Optional<Path> checkpoint) {
    }

    /**
     * The JSON manifest.
     *
     * @param epoch epochs completed
     * @param globalStep optimizer steps taken
     * @param totalSteps T of the run (for the schedule)
     * @param stepsPerEpoch optimizer steps per epoch
     * @param trainExamples N
     * @param trainFingerprint SHA-256 of the training examples' ids and answers, to detect another dataset
     * @param config the training config ({@link ConfigJson})
     * @param optimizerType {@code adamw} or {@code sgd}
     * @param optimizerSteps the optimizer's step count t
     * @param dropoutRng whether the tensor file holds the dropout generator state
     * @param dataOrderSeed the seed of the per-epoch permutations
     * @param parameterNames the adapter's parameter names, in order
     * @param history the completed epochs
     * @param bestEpoch epoch with the lowest validation NLL so far (0 if none)
     * @param bestValidationNll that NLL (NaN if none)
     * @param epochsWithoutImprovement epochs since the best, for early stopping
     * @param stoppedEarly whether early stopping ended the run at this epoch
     */
    public record Meta(int epoch, long globalStep, long totalSteps, long stepsPerEpoch, int trainExamples,
                       String trainFingerprint, JsonNode config, String optimizerType, long optimizerSteps,
                       boolean dropoutRng, long dataOrderSeed, List<String> parameterNames,
                       List<EpochRecord> history, int bestEpoch, double bestValidationNll,
                       int epochsWithoutImprovement, boolean stoppedEarly,
                       java.util.Optional<ai.bayeslora.core.model.BaseModelFingerprint> baseModel) {
        public Meta {
            parameterNames = List.copyOf(parameterNames);
            history = List.copyOf(history);
        }
    }

    /**
     * Writes both files into {@code dir} (each atomically: temporary file, then rename).
     *
     * @param tensors the tensors, keyed as described in the class comment; the caller keeps ownership
     */
    public static void write(Path dir, Meta meta, Map<String, Tensor> tensors) {
        SafetensorsWriter.write(dir.resolve(TENSOR_FILE), tensors, Map.of("format", FORMAT));
        Path file = dir.resolve(JSON_FILE);
        try {
            ai.bayeslora.core.io.AtomicOutput.writeString(file, JSON.writeValueAsString(toJson(meta)));
        } catch (IOException e) {
            throw new TrainerStateException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static ObjectNode toJson(Meta m) {
        ObjectNode o = JSON.createObjectNode();
        o.put("format", FORMAT).put("version", VERSION);
        o.put("epoch", m.epoch()).put("global_step", m.globalStep()).put("total_steps", m.totalSteps())
                .put("steps_per_epoch", m.stepsPerEpoch()).put("train_examples", m.trainExamples())
                .put("train_fingerprint", m.trainFingerprint());
        o.set("config", m.config());
        o.putObject("optimizer").put("type", m.optimizerType()).put("step", m.optimizerSteps());
        o.putObject("data_order").put("seed", m.dataOrderSeed()).put("next_epoch", m.epoch() + 1)
                .put("scheme", "Fisher-Yates with java.util.SplittableRandom(seed * 0x9E3779B97F4A7C15 + epoch)");
        o.put("dropout_rng", m.dropoutRng() ? DROPOUT_RNG_KEY : null);
        ArrayNode names = o.putArray("parameters");
        m.parameterNames().forEach(names::add);
        o.put("best_epoch", m.bestEpoch());
        if (Double.isNaN(m.bestValidationNll())) {
            o.putNull("best_validation_nll");
        } else {
            o.put("best_validation_nll", m.bestValidationNll());
        }
        o.put("epochs_without_improvement", m.epochsWithoutImprovement());
        o.put("stopped_early", m.stoppedEarly());
        m.baseModel().ifPresent(b -> o.set("base_model", b.toJson()));
        ArrayNode hist = o.putArray("history");
        for (EpochRecord r : m.history()) {
            ObjectNode e = hist.addObject();
            e.put("epoch", r.epoch()).put("global_step", r.globalStep()).put("train_loss", r.trainLoss())
                    .put("train_accuracy", r.trainAccuracy());
            putOptional(e, "validation_nll", r.validationNll());
            putOptional(e, "validation_accuracy", r.validationAccuracy());
            e.put("checkpoint", r.checkpoint().map(Path::toString).orElse(null));
        }
        return o;
    }

    private static void putOptional(ObjectNode o, String key, OptionalDouble v) {
        if (v.isPresent()) {
            o.put(key, v.getAsDouble());
        } else {
            o.putNull(key);
        }
    }

    /** Reads {@value #JSON_FILE} of a checkpoint folder. */
    public static Meta readMeta(Path dir) {
        Path file = dir.resolve(JSON_FILE);
        JsonNode o;
        try {
            o = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new TrainerStateException(file + ": not found; is " + dir + " a checkpoint folder written by the "
                    + "trainer (epoch-NNN)?");
        } catch (IOException e) {
            throw new TrainerStateException(file + ": cannot parse: " + e.getMessage(), e);
        }
        if (o == null || !FORMAT.equals(o.path("format").asText())) {
            throw new TrainerStateException(file + ": field 'format' is not '" + FORMAT + "'");
        }
        if (o.path("version").asInt() != VERSION) {
            throw new TrainerStateException(file + ": field 'version' is " + o.path("version") + ", this library reads "
                    + VERSION);
        }
        List<String> names = new ArrayList<>();
        require(o, "parameters", file).forEach(n -> names.add(n.asText()));
        List<EpochRecord> history = new ArrayList<>();
        for (JsonNode e : require(o, "history", file)) {
            history.add(new EpochRecord(e.path("epoch").asInt(), e.path("global_step").asLong(),
                    e.path("train_loss").asDouble(), e.path("train_accuracy").asDouble(),
                    optional(e.get("validation_nll")), optional(e.get("validation_accuracy")),
                    e.hasNonNull("checkpoint") ? Optional.of(Path.of(e.get("checkpoint").asText())) : Optional.empty()));
        }
        JsonNode opt = require(o, "optimizer", file);
        return new Meta(require(o, "epoch", file).asInt(), require(o, "global_step", file).asLong(),
                require(o, "total_steps", file).asLong(), require(o, "steps_per_epoch", file).asLong(),
                require(o, "train_examples", file).asInt(), require(o, "train_fingerprint", file).asText(),
                require(o, "config", file), require(opt, "type", file).asText(), require(opt, "step", file).asLong(),
                o.hasNonNull("dropout_rng"), require(require(o, "data_order", file), "seed", file).asLong(), names,
                history, o.path("best_epoch").asInt(), o.hasNonNull("best_validation_nll")
                        ? o.get("best_validation_nll").asDouble() : Double.NaN,
                o.path("epochs_without_improvement").asInt(), o.path("stopped_early").asBoolean(),
                // absent in checkpoints written before the fingerprint was recorded
                o.hasNonNull("base_model") ? java.util.Optional.of(ai.bayeslora.core.model.BaseModelFingerprint
                        .fromJson(o.get("base_model"), "base_model", m -> new TrainerStateException(file + ": " + m)))
                        : java.util.Optional.empty());
    }

    /** Opens {@value #TENSOR_FILE} of a checkpoint folder. */
    public static SafetensorsFile openTensors(Path dir) {
        Path file = dir.resolve(TENSOR_FILE);
        if (!Files.isRegularFile(file)) {
            throw new TrainerStateException(file + ": not found; the checkpoint has no trainer state to resume from");
        }
        return SafetensorsFile.open(file);
    }

    private static JsonNode require(JsonNode o, String field, Path file) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            throw new TrainerStateException(file + ": missing field '" + field + "'");
        }
        return v;
    }

    private static OptionalDouble optional(JsonNode n) {
        return n == null || n.isNull() ? OptionalDouble.empty() : OptionalDouble.of(n.asDouble());
    }
}
