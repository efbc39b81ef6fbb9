/**
 * The frozen decoder-only transformer (Llama, Mistral, Qwen2) with transformers' numerics (docs/DEVELOPING.md,
 * "transformers numerics we reproduce on purpose").
 *
 * <p>{@link ai.bayeslora.core.model.CausalLM#load} reads an HF model folder ({@code config.json}, parsed by
 * {@link ai.bayeslora.core.model.HfConfigParser} into a {@link ai.bayeslora.core.model.ModelConfig}, and safetensors
 * weights). The model holds no adapter: every forward takes an {@link ai.bayeslora.core.model.AdapterBinding} of
 * {@link ai.bayeslora.core.model.LinearAdapter}s, so one loaded model serves many adapters and threads at once.
 * {@link ai.bayeslora.core.model.BaseModelFingerprint} identifies the base model an adapter was trained on. The layer
 * classes ({@link ai.bayeslora.core.model.DecoderLayer}, {@link ai.bayeslora.core.model.Attention},
 * {@link ai.bayeslora.core.model.Mlp}, {@link ai.bayeslora.core.model.RmsNorm},
 * {@link ai.bayeslora.core.model.RotaryEmbedding}) are public for tests and experiments that run parts of a forward.
 *
 * <p>This package is the library's tensor level: the forward, its building blocks, {@link
 * ai.bayeslora.core.model.ModelInput} and the weight sources take and return libtorch tensors
 * ({@code org.bytedeco.pytorch.Tensor}) because they are the tensor computation (docs/API.md, "Tensors in
 * signatures"). Applications that only score, train and evaluate stay at the array level of {@code BayesLora},
 * {@code UncertaintyEstimator} and the metrics.
 */
package ai.bayeslora.core.model;
