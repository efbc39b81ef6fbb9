/** MC dropout over the LoRA branch: S stochastic forward passes with LoRA dropout left on at evaluation. */
package ai.bayeslora.lora.mcdropout;
