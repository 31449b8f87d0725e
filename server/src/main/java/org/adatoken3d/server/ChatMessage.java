package org.adatoken3d.server;

/** One message of a chat: {@code system}, {@code user} or {@code assistant}, and its text. */
public record ChatMessage(String role, String content) {
    public static final String SYSTEM = "system";
    public static final String USER = "user";
    public static final String ASSISTANT = "assistant";
}
