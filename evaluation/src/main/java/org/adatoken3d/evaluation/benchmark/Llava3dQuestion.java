package org.adatoken3d.evaluation.benchmark;

/**
 * One entry of LLaVA-3D's question file ({@code llava3d_scanqa_val_question.json} and the like, read by its
 * {@code llava/eval/model_*.py}): {@code video} names the scene folder, {@code text} is the whole question as
 * the model sees it (for SQA3D, situation and question already joined).
 */
public record Llava3dQuestion(QuestionId questionId, String video, String text) {}
