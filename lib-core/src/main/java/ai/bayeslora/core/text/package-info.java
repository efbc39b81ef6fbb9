/**
 * Tokenizers and answer tokens. {@link ai.bayeslora.core.text.HfTokenizer} loads an HF {@code tokenizer.json} (and
 * {@code tokenizer_config.json}) behind the {@link ai.bayeslora.core.text.TextTokenizer} interface, configured by
 * {@link ai.bayeslora.core.text.TokenizerOptions}; {@link ai.bayeslora.core.text.AnswerTokens} maps class labels to the
 * token ids whose logits are the class scores (docs/METHODS.md §1).
 */
package ai.bayeslora.core.text;
