/**
 * AdaToken-3D spatial-token pruning (DESIGN.md §2.1): what the decoder asks and what it gets back.
 *
 * <p>At inference the decoder measures, in layer K−1, the attention a the query rows give each spatial token
 * ({@link org.adatoken3d.pruning.Contribution}), asks its {@link org.adatoken3d.pruning.GatePolicy} (parsed from
 * {@code --prune} by {@link org.adatoken3d.pruning.PruneSpec}) for a {@link org.adatoken3d.pruning.KeepSet}, and
 * runs layers K..L−1 on the kept tokens only. {@link org.adatoken3d.pruning.FlopsModel} prices both runs.
 *
 * <p>Offline, {@link org.adatoken3d.pruning.Calibration} mines unpruned per-layer statistics
 * ({@link org.adatoken3d.pruning.LayerStats}) of a few inputs for the gate layer and threshold and writes a
 * {@link org.adatoken3d.pruning.PruningProfile}; {@link org.adatoken3d.report.RedundancyReport} shows one input's
 * statistics ({@link org.adatoken3d.pruning.Redundancy} R(τ) per layer) as an offline HTML page.
 */
package org.adatoken3d.pruning;
