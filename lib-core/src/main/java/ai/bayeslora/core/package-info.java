/**
 * The foundation every other module builds on: devices and dtypes ({@link ai.bayeslora.core.ComputeDevice},
 * {@link ai.bayeslora.core.DeviceSelector}, {@link ai.bayeslora.core.DType}), ownership of native tensors
 * ({@link ai.bayeslora.core.NativeScope}; docs/DEVELOPING.md, "Native memory"), array/tensor conversions
 * ({@link ai.bayeslora.core.Tensors}), the out-of-memory retry policy ({@link ai.bayeslora.core.MemoryRetry}) and the
 * root of the library's exceptions, {@link ai.bayeslora.core.BayesLoraException}.
 *
 * <p>Subpackages: {@code model} (the decoder-only forward), {@code safetensors} (checkpoint files), {@code text}
 * (tokenizers and answer tokens), {@code data} (multiple-choice datasets, prompts, batches), {@code mcqa} (class
 * scores from logits) and {@code io} (atomic output).
 */
package ai.bayeslora.core;
