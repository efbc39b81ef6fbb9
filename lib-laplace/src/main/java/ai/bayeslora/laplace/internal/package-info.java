/**
 * Implementation of the Laplace fit (Jacobians and gradients, curvature builders, K-FAC factors and their
 * eigendecompositions on a large-stack thread, precision models, evidence). Not part of the API: public only for use
 * within lib-laplace, excluded from the published Javadoc, and may change without notice.
 */
package ai.bayeslora.laplace.internal;
