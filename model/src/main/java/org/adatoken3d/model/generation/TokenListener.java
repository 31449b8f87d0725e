package org.adatoken3d.model.generation;

/** Hears a generation's text as it completes, and may stop it (a client that went away, a user's Ctrl-C). */
@FunctionalInterface
public interface TokenListener {
    void text(String piece);

    /** Asked before each token is decoded: true ends the generation with {@link Generation.StopReason#CANCELLED}. */
    default boolean cancelled() {
        return false;
    }
}
