/**
 * The entry point of the library: {@link ai.bayeslora.BayesLora} opens a model folder and hands out answer scorers,
 * posteriors (ensembles, SWAG, Laplace, MC dropout, a single adapter), estimators, ensemble training runs and Laplace
 * fits, all wired to the folder's model, tokenizer and batcher (docs/API.md, "The entry object"). The fine-grained
 * types of the other packages remain available for other wiring.
 */
package ai.bayeslora;
