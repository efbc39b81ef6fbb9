package ai.bayeslora.spark;

import ai.bayeslora.BayesLora;
import ai.bayeslora.core.ComputeDevice;
import ai.bayeslora.core.DType;
import ai.bayeslora.core.data.PaperPrompts;
import ai.bayeslora.spark.internal.ExecutorModels;
import ai.bayeslora.spark.internal.TaskDevices;
import java.io.Serializable;
import java.util.Objects;

/**
 * Where and how an executor loads the base model: the model folder's path (local, or any Hadoop file system URI such
 * as {@code hdfs://…} or {@code s3a://…}, readable by every executor), the device, the compute dtype and the prompt
 * format. A value that travels with Spark closures; {@link #shared()} turns it into the executor JVM's one loaded
 * model.
 *
 * @param path the HF model folder (config.json, *.safetensors, tokenizer.json), as every executor sees it
 * @param device {@code auto} (the task's Spark GPU resource if it has one, else the CPU), {@code cpu}, {@code cuda}
 *     or {@code cuda:N}
 * @param dtype the compute dtype, or null for the device's default (float32 on the CPU, bfloat16 on CUDA)
 * @param prompt the prompt format questions are rendered with (the rows must carry that format's class labels,
 *     {@link PaperPrompts#prepare})
 * @serial exclude (a value for Spark closures within one application, not a persistent format)
 */
public record SparkModel(String path, String device, DType dtype, PaperPrompts.Style prompt) implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * Checks the components.
     *
     * @param path the model folder
     * @param device the device request
     * @param dtype the dtype, or null
     * @param prompt the prompt format
     */
    public SparkModel {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(prompt, "prompt");
    }

    /**
     * The model at {@code path} on device {@code auto}, its default dtype, the MMLU-style prompt.
     *
     * @param path the model folder, local or a Hadoop file system URI
     * @return the model description
     */
    public static SparkModel of(String path) {
        return new SparkModel(path, "auto", null, PaperPrompts.Style.MMLU);
    }

    /**
     * This model on another device.
     *
     * @param newDevice {@code auto}, {@code cpu}, {@code cuda} or {@code cuda:N}
     * @return the new description
     */
    public SparkModel withDevice(String newDevice) {
        return new SparkModel(path, newDevice, dtype, prompt);
    }

    /**
     * This model with another compute dtype.
     *
     * @param newDtype the dtype, or null for the device's default
     * @return the new description
     */
    public SparkModel withDtype(DType newDtype) {
        return new SparkModel(path, device, newDtype, prompt);
    }

    /**
     * This model with another prompt format.
     *
     * @param newPrompt the format
     * @return the new description
     */
    public SparkModel withPrompt(PaperPrompts.Style newPrompt) {
        return new SparkModel(path, device, dtype, newPrompt);
    }

    /**
     * The device this model runs on in the calling thread: inside a Spark task on {@code auto}, the task's first GPU
     * address when the task was given a {@code gpu} resource ({@code spark.task.resource.gpu.amount}), else the
     * CPU; elsewhere as {@link ai.bayeslora.core.DeviceSelector#select(String)}.
     *
     * @return the device and dtype
     */
    public ComputeDevice computeDevice() {
        ComputeDevice d = TaskDevices.resolve(device);
        return dtype == null ? d : d.withDType(dtype);
    }

    /**
     * The executor JVM's shared instance of this model on {@link #computeDevice()}: loaded (and, for a remote path,
     * copied to the local cache) on first use, then reused by every task thread of the JVM. It is closed when the JVM
     * exits; <b>do not close it</b>. Posteriors loaded through it are shared in the same way (see the scorer's
     * docs).
     *
     * @return the loaded model, tokenizer and batcher
     */
    public BayesLora shared() {
        return ExecutorModels.model(this, computeDevice());
    }
}
