package org.adatoken3d.evaluation.metrics;

/** The community's metrics over one set of questions; every value is a fraction (0..1), CIDEr on its 0..10 scale. */
public record Scores(int questions, double em, double emRefined, double bleu1, double bleu2, double bleu3, double bleu4,
        double meteor, double rougeL, double cider) {}
